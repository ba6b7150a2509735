using System.Buffers;
using System.Diagnostics;
using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Http2.Session;

/// <summary>
/// The server side of one HTTP/2 connection as a sans-IO state machine (RFC 9113). A driver feeds it
/// the octets that arrived (<see cref="Receive"/>), writes out what it queued (<see cref="PendingOutput"/>),
/// calls <see cref="OnHeartbeat"/> about once a second (timeouts, data rates), and closes the transport once
/// <see cref="IsCompleted"/> (at once, without flushing, when <see cref="RequiresAbort"/>). It never touches a
/// socket, never blocks and never throws to its driver: every protocol violation becomes GOAWAY or RST_STREAM
/// with the RFC's code. Not thread-safe: the driver serialises all calls (see <see cref="OwnerCheck"/>).
/// </summary>
internal sealed partial class Http2Session : IDisposable
{
    private readonly Http2Limits _limits;
    private readonly IHttp2SessionHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Http2Settings _localSettings;
    private readonly Http2Settings _peerSettings = new();
    private readonly HPackDecoder _decoder;
    private readonly HPackEncoder _encoder = new();
    private readonly PooledBuffer _output = new();
    private readonly PooledBuffer _encodeScratch = new();
    private readonly HeaderBlockAssembler _assembler;
    private readonly FieldSectionCollector _collector = new();
    private readonly Dictionary<int, Http2Stream> _streams = [];

    // Closed streams' objects, reused by the next ones: as many as may be open at once (a client keeping 100 streams in
    // flight closes and opens them in bursts), at most 128; the idle heartbeat lets them go.
    private readonly Stack<Http2Stream> _spareStreams = new(0);
    private int MaxSpareStreams => Math.Min(_limits.MaxConcurrentStreams, 128);
    private readonly ClosedStreams _closedStreams;
    private readonly List<Http2Stream> _sendQueue = [];
    private readonly InboundWindow _connectionInbound;
    private readonly OutboundWindow _connectionOutbound = new(Http2Constants.DefaultInitialWindowSize);
    private readonly int _dataHighWater;
    private TokenBucket _resets;
    private TokenBucket _pings;
    private TokenBucket _settings;
    private bool _started;
    private bool _producing;

    /// <summary>Creates a session; call <see cref="Start"/> (or feed it the client preface) to queue our SETTINGS.</summary>
    public Http2Session(Http2Limits limits, IHttp2SessionHandler handler, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _limits = limits;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _localSettings = Http2Settings.ForServer(limits);

        // Until the peer acknowledges our SETTINGS its encoder may still use the default table size.
        // A single oversized value must still decode (and be answered with 431), so strings may be as
        // long as the largest header block we buffer.
        _decoder = new HPackDecoder(Math.Max(limits.HeaderTableSize, Http2Constants.DefaultHeaderTableSize), MaxHeaderBlockSize(limits));
        _assembler = new HeaderBlockAssembler(MaxHeaderBlockSize(limits), limits.MaxContinuationFrames);
        _closedStreams = new ClosedStreams(Math.Max(256, 2 * Math.Min(limits.MaxConcurrentStreams, 4096)));
        _connectionInbound = new InboundWindow(Http2Constants.DefaultInitialWindowSize, limits.InitialConnectionWindowSize / 2);
        _dataHighWater = Math.Min(128 * 1024, limits.MaxOutputBufferSize / 2);

        long now = _time.GetTimestamp();
        _createdAt = now;
        _idleSince = now;
        _resets = new TokenBucket(limits.MaxResetStreamsPerSecond, now);
        _pings = new TokenBucket(limits.MaxPingsPerSecond, now);
        _settings = new TokenBucket(limits.MaxSettingsPerSecond, now);
    }

    /// <summary>
    /// Set by the driver that owns the session: true when the calling thread may use it (holds the
    /// connection's lock, or is its event loop). Checked on every call in debug builds.
    /// </summary>
    public Func<bool>? OwnerCheck { get; set; }

    /// <summary>Octets queued for the transport.</summary>
    public bool HasPendingOutput => !_output.IsEmpty;

    /// <summary>The queued output; valid until the next call into the session.</summary>
    public ReadOnlyMemory<byte> PendingOutput => _output.WrittenMemory;

    /// <summary>
    /// True while so much output is queued that <see cref="Receive"/> consumes nothing more; the driver
    /// writes the output out first (backpressure against peers that send but do not read).
    /// </summary>
    public bool IsInputPaused => _output.Length >= _limits.MaxOutputBufferSize;

    /// <summary>
    /// The connection is finished: after a connection error (GOAWAY sent), or after a GOAWAY (either
    /// way) once no stream remains. The driver writes the remaining output and closes the transport.
    /// </summary>
    public bool IsCompleted => _closed || ((_goAwaySent || _peerGoAwayReceived) && _streams.Count == 0);

    /// <summary>A graceful shutdown has begun (<see cref="BeginGracefulShutdown"/>), whichever step it is at.</summary>
    public bool IsShuttingDown => _shutdownAnnouncedAt != 0 || _goAwaySent || _closed;

    /// <summary>
    /// The peer stopped reading: the driver closes the transport at once, without waiting for output that
    /// cannot be delivered. Implies <see cref="IsCompleted"/>.
    /// </summary>
    public bool RequiresAbort { get; private set; }

    /// <summary>Streams currently open or half-closed.</summary>
    public int ActiveStreamCount => _streams.Count;

    /// <summary>The highest stream id the client has used.</summary>
    public int LastClientStreamId => _lastClientStreamId;

    /// <summary>The error code of the GOAWAY this session sent for a connection error, if any.</summary>
    public Http2ErrorCode? ConnectionErrorCode { get; private set; }

    /// <summary>The round-trip time measured by the last acknowledged <see cref="SendPing"/>, if any.</summary>
    public TimeSpan? LastPingRoundTrip { get; private set; }

    /// <summary>The client's SETTINGS as received so far.</summary>
    public Http2Settings PeerSettings => _peerSettings;

    /// <summary>Response octets buffered for all streams, waiting for window (bounded by <see cref="Http2Limits.ConnectionResponseBufferSize"/>).</summary>
    public int BufferedResponseOctets => _bufferedResponse;

    /// <summary>Queues the server connection preface: our SETTINGS, then a connection WINDOW_UPDATE (§3.4, §6.9.2).</summary>
    public void Start()
    {
        AssertOwner();
        if (_started)
        {
            return;
        }

        _started = true;
        Span<KeyValuePair<SettingsParameter, uint>> settings = stackalloc KeyValuePair<SettingsParameter, uint>[Http2Settings.MaxAdvertised];
        int count = _localSettings.WriteServerAdvertisement(settings);
        FrameWriter.WriteSettings(_output, settings[..count]);
        _settingsSentAt = _time.GetTimestamp();

        int raise = _limits.InitialConnectionWindowSize - Http2Constants.DefaultInitialWindowSize;
        if (raise > 0)
        {
            FrameWriter.WriteWindowUpdate(_output, 0, raise);
            _connectionInbound.Grant(raise);
        }
    }

    /// <summary>Marks <paramref name="count"/> octets of <see cref="PendingOutput"/> as written.</summary>
    public void AdvanceOutput(int count)
    {
        AssertOwner();
        _output.Consume(count);
        _outputClock.Add(count);
        if (_output.IsEmpty && _sendQueue.Count > 0)
        {
            ProduceData();
        }
    }

    /// <summary>Copies all queued output into <paramref name="destination"/> and empties the queue.</summary>
    public void DrainOutputTo(IBufferWriter<byte> destination)
    {
        AssertOwner();
        ReadOnlySpan<byte> output = _output.WrittenSpan;
        if (!output.IsEmpty)
        {
            output.CopyTo(destination.GetSpan(output.Length));
            destination.Advance(output.Length);
            _outputClock.Add(output.Length);
        }

        _output.Clear();
        if (_sendQueue.Count > 0)
        {
            // Window was waiting for room in the output: refill it for the driver's next write.
            ProduceData();
        }
    }

    /// <summary>
    /// Starts a graceful shutdown (§6.8) in two steps, so requests already on the wire are not lost: first
    /// GOAWAY NO_ERROR with last stream id 2^31-1 and a PING; when the PING is acknowledged (every stream
    /// the client opened before it has arrived) or after <see cref="ShutdownPingTimeout"/>, the final GOAWAY
    /// with the last stream id we received. Started streams finish, newer ones are ignored, and the session
    /// completes when none remain.
    /// </summary>
    public void BeginGracefulShutdown()
    {
        AssertOwner();
        if (_shutdownAnnouncedAt != 0 || _goAwaySent || _closed)
        {
            return;
        }

        Start();
        _shutdownAnnouncedAt = Math.Max(1, _time.GetTimestamp());
        SessionLog.GracefulShutdown(_logger, _streams.Count);
        FrameWriter.WriteGoAway(_output, Http2Constants.MaxStreamId, Http2ErrorCode.NoError, default);
        FrameWriter.WritePing(_output, ShutdownPingPayload, ack: false);
    }

    /// <summary>The second step of <see cref="BeginGracefulShutdown"/>: the GOAWAY that names the last stream we serve.</summary>
    private void SendFinalGoAway()
    {
        if (_goAwaySent || _closed)
        {
            return;
        }

        _goAwaySent = true;
        _goAwayLastStreamId = _lastClientStreamId;
        SessionLog.FinalGoAway(_logger, _lastClientStreamId, _streams.Count);
        FrameWriter.WriteGoAway(_output, _lastClientStreamId, Http2ErrorCode.NoError, default);
    }

    /// <summary>
    /// Ends the connection now, e.g. when the shutdown timeout expired or on an internal failure: every stream
    /// still running gets RST_STREAM CANCEL (the application hears of it), then GOAWAY with
    /// <paramref name="errorCode"/>. The driver flushes what it can and closes.
    /// </summary>
    public void Abort(Http2ErrorCode errorCode, string reason)
    {
        AssertOwner();
        if (_closed)
        {
            return;
        }

        foreach (Http2Stream stream in SnapshotStreams())
        {
            FrameWriter.WriteRstStream(_output, stream.Id, Http2ErrorCode.Cancel);
            Apply(stream, StreamEvent.SendReset, Http2ErrorCode.Cancel);
        }

        ConnectionError(FrameError.Connection(errorCode, reason));
    }

    /// <summary>The transport is gone: every stream still running is cancelled, nothing more is sent.</summary>
    public void OnTransportClosed()
    {
        AssertOwner();
        if (_closed)
        {
            return;
        }

        _closed = true;
        CancelAllStreams(Http2ErrorCode.Cancel);
        _output.Clear();
    }

    /// <summary>Sends a PING; its acknowledgement sets <see cref="LastPingRoundTrip"/>.</summary>
    public void SendPing()
    {
        AssertOwner();
        if (_closed)
        {
            return;
        }

        Start(); // §3.4: our SETTINGS go first, even when the client's preface has not arrived yet
        _pingSentAt = _time.GetTimestamp();
        _pingPayload = (ulong)_pingSentAt;
        FrameWriter.WritePing(_output, _pingPayload, ack: false);
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        foreach (Http2Stream stream in _streams.Values)
        {
            stream.Pending?.Dispose();
        }

        _streams.Clear();
        _output.Dispose();
        _assembler.Dispose();
        _encodeScratch.Dispose();
        if (_payloadScratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_payloadScratch);
            _payloadScratch = null;
        }
    }

    private void ConnectionError(FrameError error)
    {
        if (_closed)
        {
            return;
        }

        // §6.8: after a graceful GOAWAY the last stream id must not grow (newer streams were ignored).
        int lastStreamId = _goAwaySent ? _goAwayLastStreamId : _lastClientStreamId;
        SessionLog.ConnectionError(_logger, error.Code, error.Reason, lastStreamId);
        ConnectionErrorCode = error.Code;

        // §3.4: SETTINGS is the first frame the server sends, even before a GOAWAY for an invalid preface.
        Start();
        _closed = true;
        _assembler.Reset();
        Span<byte> debug = stackalloc byte[128];
        string reason = error.Reason.Replace("§", "RFC 9113 ", StringComparison.Ordinal); // debug data is ASCII
        int length = System.Text.Encoding.ASCII.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, debug.Length)), debug);
        FrameWriter.WriteGoAway(_output, lastStreamId, error.Code, debug[..length]);
        CancelAllStreams(error.Code);
    }

    /// <summary>Ends every stream because the connection ends; the application hears <paramref name="errorCode"/>.</summary>
    private void CancelAllStreams(Http2ErrorCode errorCode)
    {
        foreach (Http2Stream stream in SnapshotStreams())
        {
            Apply(stream, StreamEvent.SendReset, errorCode);
        }

        _sendQueue.Clear();
    }

    // Rare paths (abort, connection errors, heartbeats with streams): a copy lets streams close while iterating.
    private Http2Stream[] SnapshotStreams() => _streams.Count == 0 ? [] : [.. _streams.Values];

    [Conditional("DEBUG")]
    private void AssertOwner() =>
        Debug.Assert(OwnerCheck?.Invoke() != false, "Http2Session used by a thread that does not own it (see OwnerCheck).");
}
