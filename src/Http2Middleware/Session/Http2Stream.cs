using Http2Lab.Http2.Buffers;

namespace Http2Lab.Http2.Session;

/// <summary>Per-stream state kept by the session while a stream is open or half-closed.</summary>
internal class Http2Stream
{
    public Http2Stream(int id, InboundWindow inbound, OutboundWindow outbound)
    {
        Id = id;
        Inbound = inbound;
        Outbound = outbound;
    }

    /// <summary>
    /// Makes a closed stream, kept by its session, the new stream <paramref name="id"/>: every field as a new one's,
    /// the windows at their initial sizes. Only for a stream nothing refers to any more (out of the session's maps
    /// and send queue).
    /// </summary>
    public void Reuse(int id, int inboundWindow, int outboundWindow)
    {
        Id = id;
        State = StreamState.Idle;
        Inbound.Reset(inboundWindow);
        Outbound.Reset(outboundWindow);
        Pending = null;
        HeadersSent = false;
        EndQueued = false;
        Trailers = null;
        InSendQueue = false;
        WaitingForBuffer = false;
        ExpectedContentLength = null;
        ReceivedLength = 0;
        BodyAbandoned = false;
        RequestBodyClock = default;
        ResponseClock = default;
    }

    public int Id { get; private set; }

    /// <summary>Changed only through the session's transition function (RFC 9113 §5.1).</summary>
    public StreamState State { get; set; } = StreamState.Idle;

    /// <summary>What the peer may still send on this stream, and the credit the application gives back.</summary>
    public InboundWindow Inbound { get; }

    /// <summary>What we may send, tied to the connection's window.</summary>
    public OutboundWindow Outbound { get; }

    // ---- response (what we send) ----

    /// <summary>Response data waiting for window; null until first needed.</summary>
    public PooledBuffer? Pending { get; set; }

    public int PendingLength => Pending?.Length ?? 0;

    public bool HeadersSent { get; set; }

    /// <summary>The application finished the response; END_STREAM goes out once pending data has.</summary>
    public bool EndQueued { get; set; }

    public IReadOnlyList<KeyValuePair<string, string>>? Trailers { get; set; }

    public bool InSendQueue { get; set; }

    /// <summary>A write was cut short by the connection's response buffer: wake the writer when it frees.</summary>
    public bool WaitingForBuffer { get; set; }

    public bool HasWorkToSend => PendingLength > 0 || EndQueued;

    // ---- request (what we receive) ----

    public long? ExpectedContentLength { get; set; }

    public long ReceivedLength { get; set; }

    /// <summary>The application will not read the rest of the request body: what still arrives is discarded.</summary>
    public bool BodyAbandoned { get; set; }

    // ---- data-rate clocks, advanced by the heartbeat (see Http2Session.Timeouts) ----

    /// <summary>Time the client could have sent request body (window open) and octets it did send meanwhile.</summary>
    public DataRateClock RequestBodyClock;

    /// <summary>Time response data waited for the client's window, and octets sent meanwhile.</summary>
    public DataRateClock ResponseClock;
}
