using Http2Lab.Http2.Buffers;

namespace Http2Lab.Http2.Session;

/// <summary>
/// What the shared core (<see cref="Http2SessionCore{TStream}"/>) keeps per stream for either role while it is open or
/// half-closed: its §5.1 state, both flow-control windows, the data waiting for them, what arrived against a
/// content-length, and the data clocks the heartbeat reads. Each role derives what only it needs.
/// </summary>
internal abstract class Http2Stream
{
    protected Http2Stream(int id, InboundWindow inbound, OutboundWindow outbound)
    {
        Id = id;
        Inbound = inbound;
        Outbound = outbound;
    }

    /// <summary>
    /// Makes a closed stream, kept by its session, the new stream <paramref name="id"/>: every field as a new one's,
    /// the windows at their initial sizes. Only for a stream nothing refers to any more (out of the session's maps
    /// and send queue). A role's stream resets its own fields too.
    /// </summary>
    public virtual void Reuse(int id, int inboundWindow, int outboundWindow)
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
        ExpectedContentLength = null;
        ReceivedLength = 0;
        ReceivedDataClock = default;
        SentDataClock = default;
    }

    public int Id { get; private set; }

    /// <summary>Changed only through the session's transition function (RFC 9113 §5.1).</summary>
    public StreamState State { get; set; } = StreamState.Idle;

    /// <summary>What the peer may still send on this stream, and the credit the application gives back.</summary>
    public InboundWindow Inbound { get; }

    /// <summary>What we may send, tied to the connection's window.</summary>
    public OutboundWindow Outbound { get; }

    // ---- what we send (a response on the server, a request on the client) ----

    /// <summary>Data waiting for window; null until first needed.</summary>
    public PooledBuffer? Pending { get; set; }

    public int PendingLength => Pending?.Length ?? 0;

    public bool HeadersSent { get; set; }

    /// <summary>The application finished its message; END_STREAM goes out once pending data has.</summary>
    public bool EndQueued { get; set; }

    public IReadOnlyList<KeyValuePair<string, string>>? Trailers { get; set; }

    public bool InSendQueue { get; set; }

    public bool HasWorkToSend => PendingLength > 0 || EndQueued;

    // ---- what we receive ----

    /// <summary>The content-length of the message the peer sends (§8.1.1), when it gave one that binds its DATA.</summary>
    public long? ExpectedContentLength { get; set; }

    public long ReceivedLength { get; set; }

    // ---- data clocks: octets moved, counted by the core; the server's heartbeat runs them (Http2Session.Timeouts) ----

    /// <summary>DATA octets received on this stream, against the time the peer could have sent (window open).</summary>
    public DataRateClock ReceivedDataClock;

    /// <summary>DATA octets sent on this stream, against the time data waited for the peer's window.</summary>
    public DataRateClock SentDataClock;
}
