using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Blocking;

/// <summary>
/// What the blocking dispatchers share: a listening socket accepted from on a dedicated thread (with back-off when
/// descriptors run out), the connection limit, the shared heartbeat, and the stop sequence. Subclasses decide
/// where each accepted connection runs.
/// </summary>
internal abstract partial class BlockingDispatcher : Dispatcher
{
    // After the shutdown timeout, connections get this long to say goodbye before their sockets close.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<BlockingConnection, TaskCompletionSource> _live = new();
    private readonly AcceptBackoff _backoff;
    private readonly RejectionLog _rejections;
    private Socket? _listener;
    private Thread? _acceptThread;
    private Heartbeat? _heartbeat;
    private readonly Lock _admission = new(); // a connection is listed, or refused because the dispatcher stops
    private volatile bool _stopping;
    private int _stopped;

    /// <summary>Initializes the dispatcher of one endpoint.</summary>
    protected BlockingDispatcher(EndpointContext endpoint, ILogger logger)
        : base(endpoint)
    {
        Logger = logger;
        _backoff = new AcceptBackoff(logger, endpoint.Name);
        _rejections = new RejectionLog(logger, endpoint.Name, endpoint.MaxConnections, "MaxConnections");
    }

    /// <summary>The dispatcher's logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>The name of the accepting thread.</summary>
    protected abstract string AcceptThreadName { get; }

    /// <summary>
    /// Whether a connection can be started: by default always; a dispatcher that starts a thread per connection first
    /// checks a descriptor is free for it (the runtime aborts when it cannot create a thread).
    /// </summary>
    private protected virtual bool HasRoomFor(Socket socket) => true;

    /// <summary>Closes a connection at once, over a limit; counted and logged (at most once per interval).</summary>
    private protected void Reject(Socket socket, int live)
    {
        Context.Observer.Rejected("limit");
        _rejections.Report(live);
        socket.Dispose();
    }

    /// <summary>Connections being served.</summary>
    private protected int LiveCount => _live.Count;

    /// <summary>For dispatchers that serve one client at a time: whether another client is waiting (null: never asked).</summary>
    private protected virtual Func<bool>? OthersWaiting => null;

    /// <summary>Runs one accepted connection: on the accepting thread itself, or on a thread of its own.</summary>
    private protected abstract void Dispatch(BlockingConnection connection, Action finished);

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException($"The dispatcher of endpoint '{EndpointName}' is already started.");
        }

        _listener = ListenSocket.Bind(Url.BindEndPoint);
        BoundUrl = Url.ToBoundUri(_listener.LocalEndPoint);
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = AcceptThreadName };
        _acceptThread.Start();
        // One client at a time: finer beats, so a waiting client is let in soon after the current one falls silent
        // (its two-step GOAWAY included) — a few connections, so the extra wake-ups cost nothing.
        _heartbeat = new Heartbeat(
            () =>
            {
                foreach (var connection in _live.Keys)
                {
                    connection.Heartbeat();
                    connection.YieldIfIdle();
                }
            },
            OthersWaiting is null ? null : BlockingConnection.YieldAfter / 2);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is null || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // 1. Stop accepting: closing the listener ends the blocked accept. Connections listed from now on are
        //    refused, so each one listed below is asked to close. The accept thread is not joined yet: a
        //    dispatcher that serves on it (one client at a time) returns only when its connection ends.
        lock (_admission)
        {
            _stopping = true;
        }

        _listener.Dispose();

        // 2. Ask every live connection to finish what it is doing and close.
        if (!_live.IsEmpty)
        {
            DispatcherLog.Draining(Logger, EndpointName, _live.Count);
            foreach (var connection in _live.Keys)
            {
                connection.RequestClose();
            }
        }

        // 3. Wait within the drain budget; then each protocol says goodbye (RST_STREAM, GOAWAY); then close sockets.
        if (!await WaitForAllAsync(Context.Transport.ShutdownTimeout, cancellationToken).ConfigureAwait(false))
        {
            DispatcherLog.AbortingConnections(Logger, EndpointName, _live.Count);
            foreach (var connection in _live.Keys)
            {
                connection.ShutdownTimeout();
            }

            if (!await WaitForAllAsync(AbortGrace, CancellationToken.None).ConfigureAwait(false))
            {
                foreach (var connection in _live.Keys)
                {
                    connection.Abort();
                }

                await WaitForAllAsync(AbortGrace, CancellationToken.None).ConfigureAwait(false);
            }
        }

        await Task.Run(() => _acceptThread?.Join(AbortGrace), CancellationToken.None).ConfigureAwait(false);
        _heartbeat?.Dispose();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DispatcherConnectionInfo> GetConnections() =>
        [.. _live.Keys.OrderBy(c => c.ConnectedAt).Select(c => c.ToInfo())];

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_listener is not null && Volatile.Read(ref _stopped) == 0)
        {
            await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Whether the dispatcher is stopping (accepting has ended or is about to).</summary>
    protected bool IsStopping => _stopping;

    /// <summary>
    /// The next connection to serve, blocking until there is one. By default the next one the listener accepts;
    /// a subclass may pick among several (see <see cref="SingleClientDispatcher"/>).
    /// </summary>
    protected virtual Socket AcceptNext(Socket listener) => listener.Accept();

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            if (!_backoff.MayAccept(out TimeSpan hold))
            {
                Thread.Sleep(hold);
                continue;
            }

            Socket socket;
            try
            {
                socket = AcceptNext(_listener!);
            }
            catch (SocketException ex) when (!_stopping && AcceptBackoff.IsRetryable(ex.SocketErrorCode))
            {
                TimeSpan wait = _backoff.OnFailure(ex.SocketErrorCode);
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }

                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (!_stopping)
                {
                    DispatcherLog.AcceptFailed(Logger, EndpointName, ex);
                }

                return;
            }

            _backoff.OnSuccess();
            if (_live.Count >= Context.MaxConnections)
            {
                Reject(socket, _live.Count);
                continue;
            }

            if (!HasRoomFor(socket))
            {
                Context.Observer.Rejected("descriptors");
                LogNoDescriptors(Logger, EndpointName);
                socket.Dispose();
                Thread.Sleep(_backoff.OnFailure(SocketError.TooManyOpenSockets));
                continue;
            }

            try
            {
                var connection = new BlockingConnection(socket, Context, Logger, OthersWaiting);
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_admission)
                {
                    if (_stopping)
                    {
                        socket.Dispose(); // accepted as the listener closed: the stop sequence would not see it
                        return;
                    }

                    _live[connection] = done;
                }

                Dispatch(connection, () =>
                {
                    _live.TryRemove(connection, out _);
                    done.TrySetResult();
                });
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Gone before it could be served (reset while waiting).
                socket.Dispose();
            }
        }
    }

    private async Task<bool> WaitForAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task[] pending = [.. _live.Values.Select(t => t.Task)];
        if (pending.Length == 0)
        {
            return true;
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug,
        Message = "Endpoint '{Endpoint}': closed a new connection at once: too few file descriptors left to start its thread")]
    private static partial void LogNoDescriptors(ILogger logger, string endpoint);
}
