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

    // Finished streams' contexts (with their request, response and body pipe), reused by the next ones: as many as
    // may be open at once, at most 64; a heartbeat with no request since the last lets them go (idle memory).
    private readonly Stack<Http2StreamContext> _spare = new(0);
    private readonly int _maxSpare;
    private long _requestsAtLastHeartbeat;
    // Made only when a closing connection must wait for its handlers (most never do: an idle connection holds none).
    private TaskCompletionSource? _handlersDone;
    private int _runningHandlers;
    private long _requestsStarted;
    private volatile bool _transportClosed;

    public Http2ConnectionProcessor(ProcessorContext context, Http2Limits limits, Http2RequestHandler handler, Http2Metrics metrics, ILogger logger)
        : base(context, limits, metrics, logger)
    {
        _handler = handler;
        _maxSpare = Math.Min(limits.MaxConcurrentStreams, 64);
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

    public override void OnHeartbeat()
    {
        base.OnHeartbeat();
        if (_requestsStarted == _requestsAtLastHeartbeat)
        {
            _spare.Clear();
            _spare.TrimExcess();
        }

        _requestsAtLastHeartbeat = _requestsStarted;
    }

    public override void OnTransportClosed()
    {
        _transportClosed = true;
        base.OnTransportClosed();
        if (Volatile.Read(ref _runningHandlers) == 0)
        {
            Volatile.Read(ref _handlersDone)?.TrySetResult();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        // Made before the count is read again: a handler finishing after that read sees it and completes it.
        if (Volatile.Read(ref _runningHandlers) > 0
            && HandlersDone().Task is { } done
            && Volatile.Read(ref _runningHandlers) > 0
            && await Task.WhenAny(done, Task.Delay(HandlerGrace)).ConfigureAwait(false) != done)
        {
            // Handlers were told to abort; they had a moment to notice before the session goes.
            Http2ConnectionLog.HandlersStillRunning(Logger, ConnectionId, Volatile.Read(ref _runningHandlers), HandlerGrace.TotalSeconds);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private TaskCompletionSource HandlersDone()
    {
        return Volatile.Read(ref _handlersDone)
            ?? Interlocked.CompareExchange(ref _handlersDone, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null)
            ?? _handlersDone!;
    }

    // ---- for the streams' handlers ----

    public void OnHandlerFinished(Http2StreamContext stream)
    {
        // Inside the gate: the unread rest of the request body is discarded (§8.1).
        _streams.Remove(stream.StreamId);
        Session.AbandonRequestBody(stream.StreamId);
        if (_spare.Count < _maxSpare && !_transportClosed && stream.TryRecycle())
        {
            _spare.Push(stream);
        }

        Metrics.StreamFinished();
        if (Interlocked.Decrement(ref _runningHandlers) == 0 && _transportClosed)
        {
            Volatile.Read(ref _handlersDone)?.TrySetResult();
        }
    }

    // ---- IHttp2SessionHandler: called inside the gate ----

    public override void OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        Http2StreamContext stream = _spare.TryPop(out Http2StreamContext? spare) ? spare : new Http2StreamContext(this, _handler, Logger);
        stream.Start(streamId, request, endStream);
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
