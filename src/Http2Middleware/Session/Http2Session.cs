using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Http2.Session;

/// <summary>
/// The server side of one HTTP/2 connection as a sans-IO state machine (RFC 9113). A driver feeds it
/// the octets that arrived (<see cref="Receive"/>), writes out what it queued (<see cref="PendingOutput"/>),
/// and closes the transport once <see cref="IsCompleted"/>. It never touches a socket, never blocks and
/// never throws to its driver: every protocol violation becomes GOAWAY or RST_STREAM with the RFC's code.
/// Not thread-safe: a driver whose application runs on other threads serialises all calls with one lock.
/// </summary>
public sealed partial class Http2Session : IDisposable
{
    private readonly Http2Limits _limits;
    private readonly IHttp2SessionHandler _handler;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HPackDecoder _decoder;
    private readonly HPackEncoder _encoder = new();
    private readonly PooledBuffer _output = new();
    private readonly PooledBuffer _headerBlock = new();
    private readonly PooledBuffer _encodeScratch = new();
    private readonly RequestHeaderCollector _collector = new();
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly List<Http2Stream> _sendQueue = [];
    private readonly int _dataHighWater;

    private FlowControlWindow _connectionSendWindow = new(Http2Constants.DefaultInitialWindowSize);
    private FlowControlWindow _connectionReceiveWindow = new(Http2Constants.DefaultInitialWindowSize);
    private int _connectionPendingWindowUpdate;
    private int _peerInitialWindowSize = Http2Constants.DefaultInitialWindowSize;
    private int _peerMaxFrameSize = Http2Constants.DefaultMaxFrameSize;
    private bool _started;
    private bool _producing;

    /// <summary>Creates a session; call <see cref="Start"/> to queue our SETTINGS.</summary>
    public Http2Session(Http2Limits limits, IHttp2SessionHandler handler, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _limits = limits;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        // Until the peer acknowledges our SETTINGS its encoder may still use the default table size.
        // A single oversized value must still decode (and be answered with 431), so strings may be as
        // long as the largest header block we buffer.
        _decoder = new HPackDecoder(Math.Max(limits.HeaderTableSize, Http2Constants.DefaultHeaderTableSize), MaxHeaderBlockSize(limits));
        _dataHighWater = Math.Min(128 * 1024, limits.MaxOutputBufferSize / 2);
    }

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

    /// <summary>Streams currently open or half-closed.</summary>
    public int ActiveStreamCount => _streams.Count;

    /// <summary>The highest stream id the client has used.</summary>
    public int LastClientStreamId => _lastClientStreamId;

    /// <summary>The error code of the GOAWAY this session sent for a connection error, if any.</summary>
    public Http2ErrorCode? ConnectionErrorCode { get; private set; }

    /// <summary>The round-trip time measured by the last acknowledged <see cref="SendPing"/>, if any.</summary>
    public TimeSpan? LastPingRoundTrip { get; private set; }

    /// <summary>Queues the server connection preface: our SETTINGS, then a connection WINDOW_UPDATE (§3.4, §6.9.2).</summary>
    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Span<KeyValuePair<SettingsParameter, uint>> settings =
        [
            new(SettingsParameter.MaxConcurrentStreams, (uint)_limits.MaxConcurrentStreams),
            new(SettingsParameter.InitialWindowSize, (uint)_limits.InitialStreamWindowSize),
            new(SettingsParameter.MaxFrameSize, (uint)_limits.MaxFrameSize),
            new(SettingsParameter.MaxHeaderListSize, (uint)_limits.MaxHeaderListSize),
            new(SettingsParameter.HeaderTableSize, (uint)_limits.HeaderTableSize),
        ];
        FrameWriter.WriteSettings(_output, settings);

        int raise = _limits.InitialConnectionWindowSize - Http2Constants.DefaultInitialWindowSize;
        if (raise > 0)
        {
            FrameWriter.WriteWindowUpdate(_output, 0, raise);
            _connectionReceiveWindow.TryAdjust(raise);
        }
    }

    /// <summary>Marks <paramref name="count"/> octets of <see cref="PendingOutput"/> as written.</summary>
    public void AdvanceOutput(int count)
    {
        _output.Consume(count);
        if (_output.IsEmpty && _sendQueue.Count > 0)
        {
            ProduceData();
        }
    }

    /// <summary>Copies all queued output into <paramref name="destination"/> and empties the queue.</summary>
    public void DrainOutputTo(IBufferWriter<byte> destination)
    {
        ReadOnlySpan<byte> output = _output.WrittenSpan;
        if (!output.IsEmpty)
        {
            output.CopyTo(destination.GetSpan(output.Length));
            destination.Advance(output.Length);
        }

        _output.Clear();
        if (_sendQueue.Count > 0)
        {
            // Window was waiting for room in the output: refill it for the driver's next write.
            ProduceData();
        }
    }

    /// <summary>
    /// Starts a graceful shutdown (§6.8): GOAWAY NO_ERROR with the last stream id we received; streams
    /// already started finish, new ones are ignored, and the session completes when none remain.
    /// </summary>
    public void BeginGracefulShutdown()
    {
        if (_goAwaySent || _closed)
        {
            return;
        }

        _goAwaySent = true;
        _goAwayLastStreamId = _lastClientStreamId;
        SessionLog.GracefulShutdown(_logger, _lastClientStreamId, _streams.Count);
        FrameWriter.WriteGoAway(_output, _lastClientStreamId, Http2ErrorCode.NoError, default);
    }

    /// <summary>Ends the connection with GOAWAY and <paramref name="errorCode"/>, e.g. on an internal failure or drain timeout.</summary>
    public void Abort(Http2ErrorCode errorCode, string reason) => ConnectionError(errorCode, reason);

    /// <summary>The transport is gone: every stream still running is cancelled, nothing more is sent.</summary>
    public void OnTransportClosed()
    {
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
        if (_closed)
        {
            return;
        }

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
        _headerBlock.Dispose();
        _encodeScratch.Dispose();
        if (_payloadScratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_payloadScratch);
            _payloadScratch = null;
        }
    }

    private void ConnectionError(Http2ErrorCode errorCode, string reason)
    {
        if (_closed)
        {
            return;
        }

        // §6.8: after a graceful GOAWAY the last stream id must not grow (newer streams were ignored).
        int lastStreamId = _goAwaySent ? _goAwayLastStreamId : _lastClientStreamId;
        SessionLog.ConnectionError(_logger, errorCode, reason, lastStreamId);
        ConnectionErrorCode = errorCode;

        // §3.4: SETTINGS is the first frame the server sends, even before a GOAWAY for an invalid preface.
        Start();
        _closed = true;
        _headerStreamId = 0;
        Span<byte> debug = stackalloc byte[128];
        int length = System.Text.Encoding.ASCII.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, debug.Length)), debug);
        FrameWriter.WriteGoAway(_output, lastStreamId, errorCode, debug[..length]);
        CancelAllStreams(errorCode);
    }

    private void CancelAllStreams(Http2ErrorCode errorCode)
    {
        Http2Stream[] streams = [.. _streams.Values];
        _streams.Clear();
        _sendQueue.Clear();
        foreach (Http2Stream stream in streams)
        {
            stream.State = StreamState.Closed;
            stream.Pending?.Dispose();
            stream.Pending = null;
            if (stream.Delivered)
            {
                _handler.OnStreamReset(stream.Id, errorCode);
            }
        }
    }
}
