namespace Http2Lab.Http2.Session;

/// <summary>Per-stream state kept by the session while a stream is open or half-closed.</summary>
internal sealed class Http2Stream
{
    public Http2Stream(int id, int sendWindow, int receiveWindow)
    {
        Id = id;
        SendWindow = new FlowControlWindow(sendWindow);
        ReceiveWindow = new FlowControlWindow(receiveWindow);
    }

    public int Id { get; }

    public StreamState State { get; set; } = StreamState.Idle;

    /// <summary>What the peer lets us send (§6.9).</summary>
    public FlowControlWindow SendWindow;

    /// <summary>What we let the peer send; refilled as the application acknowledges data.</summary>
    public FlowControlWindow ReceiveWindow;

    /// <summary>Octets acknowledged by the application and not yet returned with WINDOW_UPDATE.</summary>
    public int PendingWindowUpdate { get; set; }

    /// <summary>Octets delivered to the application and not yet acknowledged.</summary>
    public int Unacknowledged { get; set; }

    /// <summary>Response data waiting for window; null until first needed.</summary>
    public PooledBuffer? Pending { get; set; }

    public int PendingLength => Pending?.Length ?? 0;

    public bool HeadersSent { get; set; }

    /// <summary>The application finished the response; END_STREAM goes out once pending data has.</summary>
    public bool EndQueued { get; set; }

    public IReadOnlyList<KeyValuePair<string, string>>? Trailers { get; set; }

    public bool InSendQueue { get; set; }

    public long? ExpectedContentLength { get; set; }

    public long ReceivedLength { get; set; }

    /// <summary>The request has been handed to the application (which must hear of a reset).</summary>
    public bool Delivered { get; set; }

    public bool HasWorkToSend => PendingLength > 0 || EndQueued;
}
