using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// HTTP/2 with the application: a handler per request, started through the connection's <see cref="ConnectionGate"/>
/// (on the thread pool for Async, where the connection runs for the other dispatchers). Which dispatcher drives it,
/// it never knows.
/// </summary>
internal sealed class Http2ConnectionProcessor : Http2SessionProcessor
{
    private static readonly TimeSpan HandlerGrace = TimeSpan.FromSeconds(5);

    private readonly Http2RequestHandler _handler;
    private readonly Dictionary<int, Http2StreamContext> _streams = [];
    private readonly List<Http2StreamContext> _starting = [];
    private readonly TaskCompletionSource _handlersDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _runningHandlers;
    private long _requestsStarted;
    private volatile bool _transportClosed;

    public Http2ConnectionProcessor(ProcessorContext context, Http2Limits limits, Http2RequestHandler handler, Http2Metrics metrics, ILogger logger)
        : base(context, limits, metrics, logger)
    {
        _handler = handler;
    }

    /// <summary>Whether responses get a <c>date</c> field when the handler sets none (<see cref="Http2ApplicationOptions.AddDateHeader"/>).</summary>
    public bool AddDateHeader { get; init; } = true;

    /// <summary>What handlers see of the connection, made on first use (most handlers never ask).</summary>
    public Http2ConnectionInfo Info => _info ??= Http2ConnectionInfo.From(Context); // a race makes two equal ones: harmless

    /// <summary>Where <see cref="Http2Request.RequestServices"/> scopes come from; null: the request has none.</summary>
    public Microsoft.Extensions.DependencyInjection.IServiceScopeFactory? ScopeFactory { get; init; }

    private Http2ConnectionInfo? _info;

    protected override int RequestsInFlight => _streams.Count;

    public override bool IsIdle => _requestsStarted > 0 && Session.ActiveStreamCount == 0 && Volatile.Read(ref _runningHandlers) == 0;

    protected override void OnReceived()
    {
        for (int i = 0; i < _starting.Count; i++)
        {
            Gate.Start(static state => _ = ((Http2StreamContext)state!).RunAsync(), _starting[i]);
        }

        _starting.Clear();
    }

    public override void OnTransportClosed()
    {
        _transportClosed = true;
        base.OnTransportClosed();
        if (Volatile.Read(ref _runningHandlers) == 0)
        {
            _handlersDone.TrySetResult();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _runningHandlers) > 0
            && await Task.WhenAny(_handlersDone.Task, Task.Delay(HandlerGrace)).ConfigureAwait(false) != _handlersDone.Task)
        {
            // Handlers were told to abort; they had a moment to notice before the session goes.
            Http2ConnectionLog.HandlersStillRunning(Logger, ConnectionId, Volatile.Read(ref _runningHandlers), HandlerGrace.TotalSeconds);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    // ---- for the streams' handlers ----

    public void OnHandlerFinished(Http2StreamContext stream)
    {
        // Inside the gate: the unread rest of the request body is discarded (§8.1).
        _streams.Remove(stream.StreamId);
        Session.AbandonRequestBody(stream.StreamId);
        Metrics.StreamFinished();
        if (Interlocked.Decrement(ref _runningHandlers) == 0 && _transportClosed)
        {
            _handlersDone.TrySetResult();
        }
    }

    // ---- IHttp2SessionHandler: called inside the gate ----

    public override void OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        var stream = new Http2StreamContext(this, streamId, request, endStream, _handler, Logger);
        _streams[streamId] = stream;
        Metrics.StreamStarted();
        _requestsStarted++;
        Interlocked.Increment(ref _runningHandlers);
        _starting.Add(stream); // started once the session call returns, so a handler never re-enters Receive
    }

    public override void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            stream.OnData(data, endStream);
        }
    }

    public override void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            stream.OnTrailers(trailers);
        }
    }

    public override void OnStreamReset(int streamId, Http2ErrorCode errorCode)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            Metrics.StreamReset(errorCode);
            stream.OnReset(errorCode);
        }
    }

    public override void OnStreamWritable(int streamId)
    {
        if (_streams.TryGetValue(streamId, out Http2StreamContext? stream))
        {
            stream.OnWritable();
        }
    }
}
