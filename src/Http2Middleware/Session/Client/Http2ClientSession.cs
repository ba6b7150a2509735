using System.Buffers;
using System.Diagnostics;
using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Http2.Session.Client;

/// <summary>
/// The client side of one HTTP/2 connection as a sans-IO state machine (RFC 9113), the counterpart of
/// <see cref="Http2Session"/>: the same frame codec (<see cref="FrameReader"/>, <see cref="FrameWriter"/>,
/// <see cref="HeaderBlockAssembler"/>), HPACK, stream transition function (<see cref="StreamStateMachine"/>),
/// flow-control windows and settings, with the client's rules in this class: we send the preface and SETTINGS
/// with ENABLE_PUSH 0 (§3.4, §6.5.2), we open the odd stream ids (§5.1.1), an incoming HEADERS is a response,
/// 1xx or trailers (§8.1), PUSH_PROMISE is a connection error (§6.6), the server's GOAWAY refuses the streams
/// above its last id (§6.8), and its SETTINGS_MAX_CONCURRENT_STREAMS queues requests (§5.1.2).
/// A driver feeds it octets (<see cref="Receive"/>) and writes out <see cref="PendingOutput"/>; not thread-safe.
/// </summary>
internal sealed partial class Http2ClientSession : IDisposable
{
    /// <summary>Streams opened before the server's SETTINGS arrive: the RFC's recommended minimum (§6.5.2).</summary>
    private const int StreamsBeforeSettings = 100;

    private readonly Http2Limits _limits;
    private readonly IHttp2ClientSessionHandler _handler;
    private readonly ILogger _logger;
    private readonly Http2Settings _peerSettings = Http2Settings.ServerDefaults();
    private readonly HPackDecoder _decoder;
    private readonly HPackEncoder _encoder = new();
    private readonly PooledBuffer _output = new();
    private readonly PooledBuffer _encodeScratch = new();
    private readonly HeaderBlockAssembler _assembler;
    private readonly FieldSectionCollector _collector = new();
    private readonly Dictionary<int, Http2ClientStream> _streams = [];
    private readonly List<Http2ClientStream> _waiting = [];
    private readonly ClosedStreams _closedStreams = new(1024);
    private readonly List<Http2ClientStream> _sendQueue = [];
    private readonly InboundWindow _connectionInbound;
    private readonly OutboundWindow _connectionOutbound = new(Http2Constants.DefaultInitialWindowSize);
    private readonly int _dataHighWater;
    private long _nextStreamId = 1; // a long: past 2^31-1 the connection is used up (§5.1.1), not wrapped round
    private int _lastSentStreamId;
    private bool _started;
    private bool _producing;

    /// <summary>
    /// Creates a session. Of <paramref name="limits"/> it uses what describes our receiving side (windows,
    /// header list and table sizes, CONTINUATION count) and the output buffer sizes.
    /// </summary>
    public Http2ClientSession(Http2Limits limits, IHttp2ClientSessionHandler handler, ILogger? logger = null)
    {
        _limits = limits;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        int maxBlock = (int)Math.Min(int.MaxValue / 2, 2L * limits.MaxHeaderListSize + limits.MaxFrameSize);
        _decoder = new HPackDecoder(Math.Max(limits.HeaderTableSize, Http2Constants.DefaultHeaderTableSize), maxBlock);
        _assembler = new HeaderBlockAssembler(maxBlock, limits.MaxContinuationFrames);
        _connectionInbound = new InboundWindow(Http2Constants.DefaultInitialWindowSize, limits.InitialConnectionWindowSize / 2);
        _dataHighWater = Math.Min(128 * 1024, limits.MaxOutputBufferSize / 2);
    }

    /// <summary>Set by the driver: true when the calling thread may use the session. Checked in debug builds.</summary>
    public Func<bool>? OwnerCheck { get; set; }

    /// <summary>Octets queued for the transport.</summary>
    public bool HasPendingOutput => !_output.IsEmpty;

    /// <summary>The queued output; valid until the next call into the session.</summary>
    public ReadOnlyMemory<byte> PendingOutput => _output.WrittenMemory;

    /// <summary>The server's SETTINGS as received so far.</summary>
    public Http2Settings PeerSettings => _peerSettings;

    /// <summary>Streams on the wire (open or half-closed).</summary>
    public int ActiveStreamCount => _streams.Count;

    /// <summary>Requests waiting for the server's SETTINGS_MAX_CONCURRENT_STREAMS to let them open.</summary>
    public int QueuedStreamCount => _waiting.Count;

    /// <summary>No new request can start here: GOAWAY either way, a connection error, or stream ids used up.</summary>
    public bool IsDraining => _closed || _goAwayReceived || _goAwaySent || _nextStreamId > Http2Constants.MaxStreamId;

    /// <summary>The connection is finished: closed, or draining with no stream left. The driver closes the transport.</summary>
    public bool IsCompleted => _closed || ((_goAwayReceived || _goAwaySent) && _streams.Count == 0 && _waiting.Count == 0);

    /// <summary>The error code of the GOAWAY we sent for a connection error, if any.</summary>
    public Http2ErrorCode? ConnectionErrorCode { get; private set; }

    /// <summary>Why the connection ended: our connection error, the server's GOAWAY, or the transport closing.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>The last stream id of the server's GOAWAY, if one arrived.</summary>
    public int? GoAwayLastStreamId => _goAwayReceived ? _goAwayLastStreamId : null;

    /// <summary>Queues the client connection preface and our SETTINGS (ENABLE_PUSH 0), then a connection WINDOW_UPDATE (§3.4, §6.9.2).</summary>
    public void Start()
    {
        AssertOwner();
        if (_started)
        {
            return;
        }

        _started = true;
        _output.Write(Http2Constants.ClientPreface);
        Span<KeyValuePair<SettingsParameter, uint>> settings =
        [
            new(SettingsParameter.EnablePush, 0),
            new(SettingsParameter.InitialWindowSize, (uint)_limits.InitialStreamWindowSize),
            new(SettingsParameter.MaxHeaderListSize, (uint)_limits.MaxHeaderListSize),
            new(SettingsParameter.MaxFrameSize, (uint)_limits.MaxFrameSize),
        ];
        FrameWriter.WriteSettings(_output, settings);
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
        if (_output.IsEmpty && _sendQueue.Count > 0)
        {
            ProduceData();
        }
    }

    /// <summary>Copies all queued output into <paramref name="destination"/> and empties the queue (one write per batch).</summary>
    public void DrainOutputTo(IBufferWriter<byte> destination)
    {
        AssertOwner();
        ReadOnlySpan<byte> output = _output.WrittenSpan;
        if (!output.IsEmpty)
        {
            output.CopyTo(destination.GetSpan(output.Length));
            destination.Advance(output.Length);
        }

        _output.Clear();
        if (_sendQueue.Count > 0)
        {
            ProduceData();
        }
    }

    /// <summary>
    /// Graceful close (§6.8): GOAWAY NO_ERROR naming stream 0 (the server opened none); streams in flight finish,
    /// queued requests are refused, and the session completes when none remain.
    /// </summary>
    public void SendGoAway()
    {
        AssertOwner();
        if (_goAwaySent || _closed)
        {
            return;
        }

        Start();
        _goAwaySent = true;
        FrameWriter.WriteGoAway(_output, 0, Http2ErrorCode.NoError, default);
        RefuseWaiting(Http2ErrorCode.RefusedStream);
    }

    /// <summary>Sends a PING (§6.7); the server's ACK is not reported.</summary>
    public void SendPing(ulong opaqueData)
    {
        AssertOwner();
        if (!_closed)
        {
            Start();
            FrameWriter.WritePing(_output, opaqueData, ack: false);
        }
    }

    /// <summary>The transport is gone: every stream still running is reset, nothing more is sent.</summary>
    public void OnTransportClosed(string reason)
    {
        AssertOwner();
        if (_closed)
        {
            return;
        }

        _closed = true;
        CloseReason ??= reason;
        CancelAllStreams(Http2ErrorCode.Cancel);
        _output.Clear();
    }

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose()
    {
        foreach (Http2ClientStream stream in _streams.Values)
        {
            stream.Pending?.Dispose();
        }

        foreach (Http2ClientStream stream in _waiting)
        {
            stream.Pending?.Dispose();
        }

        _streams.Clear();
        _waiting.Clear();
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

        SessionLog.ConnectionError(_logger, error.Code, error.Reason, 0);
        ConnectionErrorCode = error.Code;
        CloseReason = $"connection error {error.Code}: {error.Reason}";
        Start();
        _assembler.Reset();
        Span<byte> debug = stackalloc byte[128];
        string reason = error.Reason.Replace("§", "RFC 9113 ", StringComparison.Ordinal);
        int length = System.Text.Encoding.ASCII.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, debug.Length)), debug);

        // §6.8: the last stream id is the last one the peer initiated that we processed: a server opens none here.
        FrameWriter.WriteGoAway(_output, 0, error.Code, debug[..length]);
        _closed = true;
        CancelAllStreams(error.Code);
    }

    private void CancelAllStreams(Http2ErrorCode errorCode)
    {
        RefuseWaiting(errorCode);
        foreach (Http2ClientStream stream in SnapshotStreams())
        {
            Apply(stream, StreamEvent.SendReset, errorCode);
        }

        _sendQueue.Clear();
    }

    /// <summary>Requests that never went out are refused: the server never saw them, so they may be retried (§8.7).</summary>
    private void RefuseWaiting(Http2ErrorCode errorCode)
    {
        if (_waiting.Count == 0)
        {
            return;
        }

        Http2ClientStream[] waiting = [.. _waiting];
        _waiting.Clear();
        foreach (Http2ClientStream stream in waiting)
        {
            stream.Pending?.Dispose();
            stream.Pending = null;
            _handler.OnStreamReset(stream.Id, errorCode, refused: true);
        }
    }

    private Http2ClientStream[] SnapshotStreams() => _streams.Count == 0 ? [] : [.. _streams.Values];

    [Conditional("DEBUG")]
    private void AssertOwner() =>
        Debug.Assert(OwnerCheck?.Invoke() != false, "Http2ClientSession used by a thread that does not own it (see OwnerCheck).");
}
