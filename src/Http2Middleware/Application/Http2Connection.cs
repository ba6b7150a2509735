using System.IO.Pipelines;
using System.Threading.Channels;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// Drives one <see cref="Http2Session"/> over a <see cref="ConnectionContext"/>'s duplex pipe and runs a
/// handler per request on the thread pool. One lock serialises every session call; one writer at a
/// time copies the session's output into the pipe, so all output of one read goes out in one flush.
/// </summary>
internal sealed class Http2Connection : IHttp2SessionHandler
{
    private readonly ConnectionContext _context;
    private readonly Http2RequestHandler _handler;
    private readonly ILogger _logger;
    private readonly Http2Session _session;
    private readonly object _sync = new();
    private readonly Dictionary<int, Http2StreamContext> _streams = [];
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<byte> _writeSignal = Channel.CreateBounded<byte>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly TaskCompletionSource _handlersDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _keepAliveTimeout;
    private int _runningHandlers;
    private bool _transportClosed;

    private readonly Http2Metrics _metrics;

    public Http2Connection(ConnectionContext context, Http2Limits limits, Http2RequestHandler handler, Http2Metrics metrics, ILogger logger)
    {
        _context = context;
        _metrics = metrics;
        _handler = handler;
        _logger = logger;
        _session = new Http2Session(limits, this, logger) { OwnerCheck = () => Monitor.IsEntered(_sync) };
        _keepAliveTimeout = limits.KeepAliveTimeout;
    }

    public async Task RunAsync()
    {
        PipeReader input = _context.Transport.Input;
        PipeWriter output = _context.Transport.Output;
        var lifetime = _context.Features.Get<IConnectionLifetimeNotificationFeature>();
        using CancellationTokenRegistration onClose = lifetime?.ConnectionClosedRequested.Register(
            static state => ((Http2Connection)state!).BeginGracefulShutdown(), this) ?? default;

        Invoke(static session => session.Start());
        Task writer = WriterLoopAsync(output);
        TimeSpan period = TimeSpan.FromTicks(Math.Clamp(_keepAliveTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 25, TimeSpan.TicksPerSecond));
        using ITimer idleTimer = TimeProvider.System.CreateTimer(static state => ((Http2Connection)state!).OnHeartbeat(), this, period, period);
        try
        {
            await ReadLoopAsync(input, output);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            Http2ConnectionLog.TransportEnded(_logger, _context.ConnectionId, ex.Message);
        }
        finally
        {
            lock (_sync)
            {
                _transportClosed = true;
                if (_session.ConnectionErrorCode is { } code and not Http2ErrorCode.NoError)
                {
                    _metrics.ConnectionError(code);
                }

                _session.OnTransportClosed();
            }

            _writeSignal.Writer.TryComplete();
            await writer;
            await input.CompleteAsync();
            await output.CompleteAsync();
            await WaitForHandlersAsync();
            lock (_sync)
            {
                _session.Dispose();
            }
        }
    }

    private async Task ReadLoopAsync(PipeReader input, PipeWriter output)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            System.Buffers.ReadOnlySequence<byte> buffer = result.Buffer;
            long consumed;
            bool paused;
            bool completed;
            lock (_sync)
            {
                consumed = _session.Receive(buffer);
                paused = _session.IsInputPaused;
                completed = _session.IsCompleted;
            }

            SequencePosition position = buffer.GetPosition(consumed);
            // When paused, leave the rest unexamined so the next read returns at once after the flush.
            input.AdvanceTo(position, paused ? position : buffer.End);
            if (paused)
            {
                await FlushAsync(output, untilEmpty: true); // backpressure: read no more until written
            }
            else if (_writeLock.Wait(0))
            {
                // The usual request/response case: answer from this thread without a hop.
                _writeLock.Release();
                await FlushAsync(output, untilEmpty: false);
            }
            else
            {
                _writeSignal.Writer.TryWrite(0); // the writer is busy streaming; keep reading WINDOW_UPDATEs
            }

            if (completed || IsCompleted() || result.IsCompleted)
            {
                return;
            }
        }
    }

    private async Task WriterLoopAsync(PipeWriter output)
    {
        try
        {
            while (await _writeSignal.Reader.WaitToReadAsync())
            {
                _writeSignal.Reader.TryRead(out _);
                await FlushAsync(output, untilEmpty: true);
                if (IsCompleted())
                {
                    _context.Transport.Input.CancelPendingRead();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            Http2ConnectionLog.TransportEnded(_logger, _context.ConnectionId, ex.Message);
            _context.Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>
    /// Copies the session's output into the pipe and flushes; with <paramref name="untilEmpty"/> repeats
    /// while the session keeps producing (large bodies), otherwise leaves the rest to the writer loop.
    /// </summary>
    private async ValueTask FlushAsync(PipeWriter output, bool untilEmpty)
    {
        await _writeLock.WaitAsync();
        try
        {
            while (true)
            {
                lock (_sync)
                {
                    if (_transportClosed || !_session.HasPendingOutput)
                    {
                        return;
                    }

                    _session.DrainOutputTo(output);
                }

                FlushResult flushed = await output.FlushAsync();
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return;
                }

                if (!untilEmpty)
                {
                    lock (_sync)
                    {
                        if (_session.HasPendingOutput)
                        {
                            _writeSignal.Writer.TryWrite(0);
                        }
                    }

                    return;
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private bool IsCompleted()
    {
        lock (_sync)
        {
            return _session.IsCompleted;
        }
    }

    /// <summary>The lock that serialises every call into <see cref="Session"/>.</summary>
    public object Sync => _sync;

    /// <summary>The session; only touch it while holding <see cref="Sync"/>.</summary>
    public Http2Session Session => _session;

    /// <summary>Wakes the writer loop after session calls that may have queued output.</summary>
    public void SignalOutput() => _writeSignal.Writer.TryWrite(0);

    /// <summary>Runs <paramref name="action"/> on the session under the lock, then wakes the writer.</summary>
    public void Invoke(Action<Http2Session> action)
    {
        lock (_sync)
        {
            action(_session);
        }

        _writeSignal.Writer.TryWrite(0);
    }

    /// <summary>Timeouts and data rates of the session; aborts the transport when the peer stopped reading.</summary>
    private void OnHeartbeat()
    {
        bool abort;
        lock (_sync)
        {
            if (_transportClosed)
            {
                return;
            }

            _session.OnHeartbeat();
            abort = _session.RequiresAbort;
        }

        if (abort)
        {
            _context.Abort(new ConnectionAbortedException("The client stopped reading (MinResponseDataRate)."));
            return;
        }

        _writeSignal.Writer.TryWrite(0);
        if (IsCompleted())
        {
            _context.Transport.Input.CancelPendingRead();
        }
    }

    private void BeginGracefulShutdown()
    {
        Http2ConnectionLog.ClosingGracefully(_logger, _context.ConnectionId, _streams.Count);
        Invoke(static session => session.BeginGracefulShutdown());
    }

    public void OnHandlerFinished(Http2StreamContext stream)
    {
        // An unread request body needs nothing here: once END_STREAM is sent the session resets
        // the request side with NO_ERROR (§8.1), after any response data still waiting for window.
        lock (_sync)
        {
            _streams.Remove(stream.StreamId);
            _session.AbandonRequestBody(stream.StreamId);
        }

        _metrics.StreamFinished(TimeProvider.System.GetElapsedTime(stream.StartedAt));

        _writeSignal.Writer.TryWrite(0);
        if (Interlocked.Decrement(ref _runningHandlers) == 0 && Volatile.Read(ref _transportClosed))
        {
            _handlersDone.TrySetResult();
        }
    }

    private async Task WaitForHandlersAsync()
    {
        if (Volatile.Read(ref _runningHandlers) == 0)
        {
            return;
        }

        // Handlers were told to abort; give them a moment to notice before letting go of the session.
        if (await Task.WhenAny(_handlersDone.Task, Task.Delay(TimeSpan.FromSeconds(5))) != _handlersDone.Task)
        {
            Http2ConnectionLog.HandlersStillRunning(_logger, _context.ConnectionId, Volatile.Read(ref _runningHandlers), 5);
        }
    }

    // ---- IHttp2SessionHandler: called with _sync held ----

    void IHttp2SessionHandler.OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        var stream = new Http2StreamContext(this, streamId, request, endStream);
        _streams[streamId] = stream;
        _metrics.StreamStarted();
        Interlocked.Increment(ref _runningHandlers);
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Stream.RunAsync(state.Handler, state.Logger),
            (Stream: stream, Handler: _handler, Logger: _logger), preferLocal: false);
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
