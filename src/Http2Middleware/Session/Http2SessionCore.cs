using System.Buffers;
using System.Diagnostics;
using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Http2.Session;

/// <summary>
/// One HTTP/2 connection as a sans-IO state machine (RFC 9113), whichever its role: the frame loop and dispatch,
/// SETTINGS, PING, WINDOW_UPDATE, RST_STREAM and GOAWAY, header block assembly and HPACK, the §5.1 stream lifecycle
/// (one transition function, one exit), both directions of flow control, the DATA scheduler and the output buffer.
/// What differs between a server and a client is asked of the role through the hooks in
/// <c>Http2SessionCore.Roles.cs</c> — <see cref="Http2Session"/> (server) and
/// <see cref="Client.Http2ClientSession"/> (client) implement them and add their own API. A driver feeds octets to
/// <see cref="Receive"/>, writes out <see cref="PendingOutput"/> and closes the transport once
/// <see cref="IsCompleted"/>. Never blocks, never throws to its driver (a protocol violation becomes GOAWAY or
/// RST_STREAM with the RFC's code). Not thread-safe: the driver serialises all calls (see <see cref="OwnerCheck"/>).
/// </summary>
/// <typeparam name="TStream">The role's stream: the shared per-stream state plus its own.</typeparam>
internal abstract partial class Http2SessionCore<TStream> : IDisposable
    where TStream : Http2Stream
{
    private readonly HPackDecoder _decoder;
    private readonly HeaderBlockAssembler _assembler;
    private readonly ClosedStreams _closedStreams;
    private readonly List<TStream> _sendQueue = [];
    private readonly InboundWindow _connectionInbound;
    private readonly OutboundWindow _connectionOutbound = new(Http2Constants.DefaultInitialWindowSize);

    // Closed streams' objects, reused by the next ones: as many as may be open at once (a peer keeping 100 streams in
    // flight closes and opens them in bursts), at most 128; an idle connection lets them go (ReleaseIdleBuffers).
    private readonly Stack<TStream> _spareStreams = new(0);
    private readonly int _maxSpareStreams;
    private bool _started;
    private int _goAwayLastStreamId; // what our GOAWAY named: a later connection error must not name more (§6.8)

    /// <param name="limits">Our receiving side (windows, frame, header list and table sizes) and the output buffer sizes.</param>
    /// <param name="localSettings">What we advertise; its HPACK table size takes effect once the peer acknowledges it.</param>
    /// <param name="peerSettings">The peer's settings at their defaults, updated as its SETTINGS arrive.</param>
    /// <param name="closedStreamsCapacity">How many closed streams are remembered (§5.1 answers for late frames).</param>
    /// <param name="logger">Protocol events at Debug, frames at Trace.</param>
    /// <param name="timeProvider">Timestamps for what the role times (field blocks, PINGs, rates).</param>
    protected Http2SessionCore(
        Http2Limits limits, Http2Settings localSettings, Http2Settings peerSettings, int closedStreamsCapacity, ILogger? logger, TimeProvider? timeProvider)
    {
        Limits = limits;
        LocalSettings = localSettings;
        PeerSettings = peerSettings;
        Logger = logger ?? NullLogger.Instance;
        Time = timeProvider ?? TimeProvider.System;

        // Until the peer acknowledges our SETTINGS its encoder may still use the default table size. A single
        // oversized value must still decode (a server answers it with 431), so strings may be as long as the largest
        // header block we buffer.
        _decoder = new HPackDecoder(Math.Max(limits.HeaderTableSize, Http2Constants.DefaultHeaderTableSize), MaxHeaderBlockSize(limits));
        _assembler = new HeaderBlockAssembler(MaxHeaderBlockSize(limits), limits.MaxContinuationFrames);
        _closedStreams = new ClosedStreams(closedStreamsCapacity);
        _connectionInbound = new InboundWindow(Http2Constants.DefaultInitialWindowSize, limits.InitialConnectionWindowSize / 2);
        DataHighWater = Math.Min(128 * 1024, limits.MaxOutputBufferSize / 2);
        _maxSpareStreams = Math.Min(limits.MaxConcurrentStreams, 128);
        StartRateLimits(limits);
    }

    /// <summary>
    /// Set by the driver that owns the session: true when the calling thread may use it (holds the
    /// connection's lock, or is its event loop). Checked on every call in debug builds.
    /// </summary>
    public Func<bool>? OwnerCheck { get; set; }

    /// <summary>Octets queued for the transport.</summary>
    public bool HasPendingOutput => !Output.IsEmpty;

    /// <summary>The queued output; valid until the next call into the session.</summary>
    public ReadOnlyMemory<byte> PendingOutput => Output.WrittenMemory;

    /// <summary>
    /// The connection is finished: after a connection error (GOAWAY sent) or the transport closing, or after a GOAWAY
    /// either way once no stream remains. The driver writes the remaining output and closes the transport.
    /// </summary>
    public virtual bool IsCompleted => IsClosed || ((GoAwaySent || PeerGoAwayReceived) && Streams.Count == 0);

    /// <summary>Streams currently open or half-closed.</summary>
    public int ActiveStreamCount => Streams.Count;

    /// <summary>The error code of the GOAWAY this session sent for a connection error, if any.</summary>
    public Http2ErrorCode? ConnectionErrorCode { get; private set; }

    /// <summary>Why the connection ended: our connection error, the peer's first GOAWAY, or the transport closing.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The peer's SETTINGS as received so far.</summary>
    public Http2Settings PeerSettings { get; }

    /// <summary>Our SETTINGS, as advertised in the preface.</summary>
    protected Http2Settings LocalSettings { get; }

    protected Http2Limits Limits { get; }

    protected ILogger Logger { get; }

    protected TimeProvider Time { get; }

    /// <summary>What goes to the transport: frames are written here, in order.</summary>
    protected PooledBuffer Output { get; } = new();

    protected HPackEncoder Encoder { get; } = new();

    /// <summary>A header block being encoded, before it is framed as HEADERS + CONTINUATION.</summary>
    protected PooledBuffer EncodeScratch { get; } = new();

    /// <summary>The field section of the block being decoded (<see cref="DecodeFieldBlock"/>), validated as it arrives.</summary>
    protected FieldSectionCollector Collector { get; } = new();

    /// <summary>Streams open or half-closed, by id.</summary>
    protected Dictionary<int, TStream> Streams { get; } = [];

    /// <summary>Why recent streams closed (§5.1).</summary>
    protected ClosedStreams RecentlyClosed => _closedStreams;

    /// <summary>The connection's receive window (what the peer may still send on all streams).</summary>
    protected InboundWindow ConnectionInbound => _connectionInbound;

    /// <summary>How much output may be queued before the scheduler stops moving DATA into it.</summary>
    protected int DataHighWater { get; }

    /// <summary>Nothing more is received or sent: after a connection error, or once the transport is gone.</summary>
    protected bool IsClosed { get; set; }

    /// <summary>The peer's first SETTINGS arrived (the end of its preface, §3.4).</summary>
    protected bool SettingsReceived { get; private set; }

    /// <summary>The peer acknowledged our SETTINGS (§6.5.3).</summary>
    protected bool SettingsAcknowledged { get; private set; }

    /// <summary>We sent the GOAWAY NO_ERROR that names the last stream we serve (<see cref="TrySendGoAway"/>).</summary>
    protected bool GoAwaySent { get; private set; }

    protected bool PeerGoAwayReceived { get; private set; }

    /// <summary>The highest stream id the peer has opened (§5.1.1); what our GOAWAY names.</summary>
    protected int LastPeerStreamId { get; set; }

    /// <summary>Octets the transport took (<see cref="AdvanceOutput"/>, <see cref="DrainOutputTo"/>), for the heartbeat.</summary>
    protected DataRateClock OutputClock;

    /// <summary>DATA octets sent on all streams, for the heartbeat.</summary>
    protected DataRateClock SentDataClock;

    /// <summary>Queues what this role sends first (§3.4), then a connection WINDOW_UPDATE above the default (§6.9.2).</summary>
    public void Start()
    {
        AssertOwner();
        if (_started)
        {
            return;
        }

        _started = true;
        WritePreface();
        int raise = Limits.InitialConnectionWindowSize - Http2Constants.DefaultInitialWindowSize;
        if (raise > 0)
        {
            FrameWriter.WriteWindowUpdate(Output, 0, raise);
            _connectionInbound.Grant(raise);
        }
    }

    /// <summary>Marks <paramref name="count"/> octets of <see cref="PendingOutput"/> as written.</summary>
    public void AdvanceOutput(int count)
    {
        AssertOwner();
        Output.Consume(count);
        OutputClock.Add(count);
        if (Output.IsEmpty && _sendQueue.Count > 0)
        {
            ProduceData();
        }
    }

    /// <summary>Copies all queued output into <paramref name="destination"/> and empties the queue (one write per batch).</summary>
    public void DrainOutputTo(IBufferWriter<byte> destination)
    {
        AssertOwner();
        ReadOnlySpan<byte> output = Output.WrittenSpan;
        if (!output.IsEmpty)
        {
            output.CopyTo(destination.GetSpan(output.Length));
            destination.Advance(output.Length);
            OutputClock.Add(output.Length);
        }

        Output.Clear();
        if (_sendQueue.Count > 0)
        {
            // Window was waiting for room in the output: refill it for the driver's next write.
            ProduceData();
        }
    }

    /// <summary>The transport is gone: every stream still running is cancelled, nothing more is sent.</summary>
    public void OnTransportClosed() => OnTransportClosed("the transport closed");

    /// <summary>The transport is gone, for <paramref name="reason"/> (kept as <see cref="CloseReason"/> unless one is known already).</summary>
    public void OnTransportClosed(string reason)
    {
        AssertOwner();
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        CloseReason ??= reason;
        CancelAllStreams(Http2ErrorCode.Cancel);
        Output.Clear();
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the pooled buffers of the streams and the connection; a role returns those it keeps itself.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (TStream stream in Streams.Values)
        {
            stream.Pending?.Dispose();
        }

        Streams.Clear();
        Output.Dispose();
        _assembler.Dispose();
        EncodeScratch.Dispose();
        if (_payloadScratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_payloadScratch);
            _payloadScratch = null;
        }
    }

    /// <summary>A connection error (§5.4.1): GOAWAY with the code and the broken rule as debug data, then every stream ends.</summary>
    protected void ConnectionError(FrameError error)
    {
        if (IsClosed)
        {
            return;
        }

        // §6.8: the last stream id is the last one the peer opened that we process; after our GOAWAY it must not grow.
        int lastStreamId = GoAwaySent ? _goAwayLastStreamId : LastPeerStreamId;
        SessionLog.ConnectionError(Logger, error.Code, error.Reason, lastStreamId);
        ConnectionErrorCode = error.Code;
        CloseReason = $"connection error {error.Code}: {error.Reason}";

        // §3.4: our preface goes first, even before a GOAWAY for an invalid preface of the peer's.
        Start();
        IsClosed = true;
        _assembler.Reset();
        Span<byte> debug = stackalloc byte[128];
        string reason = error.Reason.Replace("§", "RFC 9113 ", StringComparison.Ordinal); // debug data is ASCII
        int length = System.Text.Encoding.ASCII.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, debug.Length)), debug);
        FrameWriter.WriteGoAway(Output, lastStreamId, error.Code, debug[..length]);
        CancelAllStreams(error.Code);
    }

    /// <summary>
    /// GOAWAY NO_ERROR naming the last stream the peer opened (§6.8): those finish, streams it opens later are ignored,
    /// and the session completes when none remain. False if one was sent already or the connection is closed.
    /// </summary>
    protected bool TrySendGoAway()
    {
        if (GoAwaySent || IsClosed)
        {
            return false;
        }

        Start();
        GoAwaySent = true;
        _goAwayLastStreamId = LastPeerStreamId;
        FrameWriter.WriteGoAway(Output, LastPeerStreamId, Http2ErrorCode.NoError, default);
        return true;
    }

    /// <summary>
    /// An idle connection gives its pooled buffers back (they are rented again by the next frame), so thousands of
    /// idle connections hold little more than their objects and HPACK tables.
    /// </summary>
    protected void ReleaseIdleBuffers()
    {
        Output.TrimIfEmpty();
        EncodeScratch.Clear();
        EncodeScratch.TrimIfEmpty();
        _assembler.TrimIfClosed();
        if (!_assembler.IsOpen)
        {
            _decoder.ReleaseScratch();
        }

        _spareStreams.Clear(); // reused while requests come; an idle connection need not keep them
    }

    /// <summary>Ends every stream because the connection ends; the application hears <paramref name="errorCode"/>.</summary>
    private void CancelAllStreams(Http2ErrorCode errorCode)
    {
        RefuseQueuedStreams(errorCode);
        foreach (TStream stream in SnapshotStreams())
        {
            Apply(stream, StreamEvent.SendReset, errorCode);
        }

        _sendQueue.Clear();
    }

    /// <summary>Rare paths (abort, connection errors, heartbeats with streams): a copy lets streams close while iterating.</summary>
    protected TStream[] SnapshotStreams() => Streams.Count == 0 ? [] : [.. Streams.Values];

    [Conditional("DEBUG")]
    protected void AssertOwner() =>
        Debug.Assert(OwnerCheck?.Invoke() != false, "HTTP/2 session used by a thread that does not own it (see OwnerCheck).");
}
