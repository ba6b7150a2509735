using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// HTTP/2 as a connection processor: the sans-IO <see cref="Http2Session"/> plus the bridge to the application —
/// a handler per request, started through the connection's <see cref="ConnectionGate"/> (on the thread pool for
/// Async, where the connection runs for the other dispatchers). Every call into the session is made inside the
/// gate, which the session asserts in debug builds. Which dispatcher drives it, it never knows.
/// </summary>
internal sealed class Http2ConnectionProcessor : IConnectionProcessor, IHttp2SessionHandler
{
    private static readonly TimeSpan HandlerGrace = TimeSpan.FromSeconds(5);

    private readonly ConnectionGate _gate;
    private readonly string _connectionId;
    private readonly Http2RequestHandler _handler;
    private readonly Http2Metrics _metrics;
    private readonly ILogger _logger;
    private readonly Http2Session _session;
    private readonly Dictionary<int, Http2StreamContext> _streams = [];
    private readonly List<Http2StreamContext> _starting = [];
    private readonly TaskCompletionSource _handlersDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _runningHandlers;
    private long _requestsStarted;
    private volatile bool _transportClosed;

    public Http2ConnectionProcessor(ProcessorContext context, Http2Limits limits, Http2RequestHandler handler, Http2Metrics metrics, ILogger logger)
    {
        _gate = context.Gate;
        _connectionId = context.ConnectionId;
        _handler = handler;
        _metrics = metrics;
        _logger = logger;
        ConnectionGate gate = context.Gate;
        _session = new Http2Session(limits, this, logger) { OwnerCheck = () => gate.IsEntered };
    }

    /// <summary>The gate every call into <see cref="Session"/> goes through.</summary>
    public ConnectionGate Gate => _gate;

    /// <summary>The session; only touch it inside <see cref="Gate"/>.</summary>
    public Http2Session Session => _session;

    // ---- IConnectionProcessor: called inside the gate ----

    public long Receive(in ReadOnlySequence<byte> input)
    {
        long consumed = _session.Receive(input);
        StartHandlers();
        return consumed;
    }

    // As Kestrel: an HTTP/2 client that closes its side is gone (a handler waiting for its window would wait forever).
    public void OnInputCompleted() => _session.OnTransportClosed();

    public bool HasOutput => _session.HasPendingOutput;

    public ReadOnlyMemory<byte> PendingOutput => _session.PendingOutput;

    public void AdvanceOutput(int count) => _session.AdvanceOutput(count);

    public void DrainOutputTo(IBufferWriter<byte> destination) => _session.DrainOutputTo(destination);

    public bool IsInputPaused => _session.IsInputPaused;

    public bool IsCompleted => _session.IsCompleted;

    public bool RequiresAbort => _session.RequiresAbort;

    public bool IsIdle => _requestsStarted > 0 && _session.ActiveStreamCount == 0 && Volatile.Read(ref _runningHandlers) == 0;

    public void OnHeartbeat() => _session.OnHeartbeat();

    public void RequestClose()
    {
        Http2ConnectionLog.ClosingGracefully(_logger, _connectionId, _streams.Count);
        _session.BeginGracefulShutdown();
    }

    public void Abort(string reason) => _session.Abort(Http2ErrorCode.NoError, reason);

    public void OnTransportClosed()
    {
        _transportClosed = true;
        if (_session.ConnectionErrorCode is { } code and not Http2ErrorCode.NoError)
        {
            _metrics.ConnectionError(code);
        }

        _session.OnTransportClosed();
        if (Volatile.Read(ref _runningHandlers) == 0)
        {
            _handlersDone.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _runningHandlers) > 0
            && await Task.WhenAny(_handlersDone.Task, Task.Delay(HandlerGrace)).ConfigureAwait(false) != _handlersDone.Task)
        {
            // Handlers were told to abort; they had a moment to notice before the session goes.
            Http2ConnectionLog.HandlersStillRunning(_logger, _connectionId, Volatile.Read(ref _runningHandlers), HandlerGrace.TotalSeconds);
        }

        await EnterAsync().ConfigureAwait(false);
        try
        {
            _session.Dispose();
        }
        finally
        {
            _gate.Exit();
        }
    }

    // ---- for the streams' handlers ----

    /// <summary>Enters the gate, first moving to a thread that may (a handler that left the poll loop comes back to it).</summary>
    public ValueTask EnterAsync() => _gate.TryEnter() ? ValueTask.CompletedTask : EnterSlowAsync();

    private async ValueTask EnterSlowAsync()
    {
        do
        {
            await _gate.SwitchAsync().ConfigureAwait(false);
        }
        while (!_gate.TryEnter());
    }

    public void OnHandlerFinished(Http2StreamContext stream)
    {
        // Inside the gate: the unread rest of the request body is discarded (§8.1).
        _streams.Remove(stream.StreamId);
        _session.AbandonRequestBody(stream.StreamId);
        _metrics.StreamFinished(TimeProvider.System.GetElapsedTime(stream.StartedAt));
        if (Interlocked.Decrement(ref _runningHandlers) == 0 && _transportClosed)
        {
            _handlersDone.TrySetResult();
        }
    }

    private void StartHandlers()
    {
        for (int i = 0; i < _starting.Count; i++)
        {
            _gate.Start(static state => _ = ((Http2StreamContext)state!).RunAsync(), _starting[i]);
        }

        _starting.Clear();
    }

    // ---- IHttp2SessionHandler: called inside the gate ----

    void IHttp2SessionHandler.OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        var stream = new Http2StreamContext(this, streamId, request, endStream, _handler, _logger);
        _streams[streamId] = stream;
        _metrics.StreamStarted();
        _requestsStarted++;
        Interlocked.Increment(ref _runningHandlers);
        _starting.Add(stream); // started once the session call returns, so a handler never re-enters Receive
    }

    void IHttp2SessionHandler.OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            stream.OnData(data, endStream);
        }
    }

    void IHttp2SessionHandler.OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            stream.OnTrailers(trailers);
        }
    }

    void IHttp2SessionHandler.OnStreamReset(int streamId, Http2ErrorCode errorCode)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            _metrics.StreamReset(errorCode);
            stream.OnReset(errorCode);
        }
    }

    void IHttp2SessionHandler.OnStreamWritable(int streamId)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            stream.OnWritable();
        }
    }

    void IHttp2SessionHandler.OnGoAway(int lastStreamId, Http2ErrorCode errorCode)
    {
    }
}
