using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// One thread, non-blocking sockets, poll(2): the listener, an eventfd that wakes the loop, and up to
/// <see cref="EndpointOptions.MaxClients"/> clients. Each round it polls, runs work posted from other threads
/// (handler continuations), accepts, reads, lets the processors work, writes, and once a second runs their
/// heartbeat. Clients are polled for input unless paused, and for output only while a write would block.
/// </summary>
internal sealed partial class PollLoop
{
    private readonly EndpointContext _endpoint;
    private readonly ILogger _logger;
    private readonly Socket? _listener;
    private readonly PollLoopGroup _group;
    private readonly string _threadName;
    private readonly int _wakeFd;
    private readonly byte[] _wakeOne = BitConverter.GetBytes(1L);
    private readonly byte[] _wakeScratch = new byte[8];
    private readonly ConcurrentQueue<(Action<object?> Work, object? State, PollClient? Client)> _work = new();
    private readonly List<PollClient> _clients = [];
    private readonly List<PollClient> _dirty = [];
    private readonly AcceptBackoff _backoff;
    private readonly RejectionLog _rejections;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Tls.Engines.ITlsEngineFactory? _tlsEngines;
    private readonly PollTrace? _trace;
    private readonly long _handshakeTimeout;
    private LibC.PollFd[] _fds = new LibC.PollFd[16];
    private Thread? _thread;
    private int _wakePending;
    private volatile bool _stopRequested;
    private bool _listening = true;
    private long _acceptResumeAt;
    private long _nextHeartbeat;
    private long _lastTraffic;
    private long _shutdownDeadline;
    private bool _aborted;
    private volatile bool _abortRequested;

    /// <param name="endpoint">The endpoint served.</param>
    /// <param name="listener">This loop's listening socket; null for a loop fed by another's hand-off.</param>
    /// <param name="group">The endpoint's loops.</param>
    /// <param name="index">This loop's place in the group.</param>
    /// <param name="tlsEngines">TLS engines for an https endpoint.</param>
    /// <param name="logger">The dispatcher's logger.</param>
    public PollLoop(EndpointContext endpoint, Socket? listener, PollLoopGroup group, int index, Tls.Engines.ITlsEngineFactory? tlsEngines, ILogger logger)
    {
        _group = group;
        _threadName = group.LoopCount > 1 ? $"Http2Lab poll {endpoint.Name} #{index + 1}" : $"Http2Lab poll {endpoint.Name}";
        _tlsEngines = tlsEngines;
        _trace = endpoint.Options.PollTrace ? new PollTrace(logger, endpoint.Name) : null;
        _handshakeTimeout = (long)(endpoint.Transport.HandshakeTimeout.TotalSeconds * Stopwatch.Frequency);
        _endpoint = endpoint;
        _listener = listener;
        _logger = logger;
        _wakeFd = LibC.CreateEventFd();
        _backoff = new AcceptBackoff(logger, endpoint.Name);
        _rejections = new RejectionLog(logger, endpoint.Name, group.MaxClients,
            endpoint.Options.MaxClients <= endpoint.MaxConnections ? "MaxClients" : "MaxConnections");
        Context = new PollSynchronizationContext(this);
    }

    public SynchronizationContext Context { get; }

    /// <summary>Where socket reads of ciphertext land before the TLS engine takes them (one per loop).</summary>
    public Span<byte> ReadScratch => _readScratch;

    private readonly byte[] _readScratch = new byte[16 * 1024];

    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Completes when the loop has ended (stopped, or shut itself down after a poll timeout).</summary>
    public Task Finished => _finished.Task;

    /// <summary>The loop's clients as of its last round in which one came, went or was asked to close.</summary>
    public IReadOnlyList<DispatcherConnectionInfo> Snapshot { get; private set; } = [];

    private bool _snapshotStale;

    /// <summary>When this loop last saw traffic (a <see cref="Stopwatch"/> timestamp), for the group's poll timeouts.</summary>
    public long LastTraffic => Volatile.Read(ref _lastTraffic);

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = _threadName };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the loop's thread soon (from any thread).</summary>
    public void Enqueue(Action<object?> work, object? state, PollClient? client)
    {
        _work.Enqueue((work, state, client));
        Wake();
    }

    /// <summary>Asks the loop to stop: close the listener, ask clients to close, wait for them within the shutdown timeout.</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        Wake();
    }

    /// <summary>Ends the graceful part of a stop now.</summary>
    public void AbortNow()
    {
        _abortRequested = true;
        Wake();
    }

    public void OnDirty(PollClient client) => _dirty.Add(client);

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            LibC.Signal(_wakeFd, _wakeOne);
        }
    }

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(Context);
        long now = Stopwatch.GetTimestamp();
        _nextHeartbeat = now + Stopwatch.Frequency;
        _lastTraffic = now;
        try
        {
            while (RunOnce())
            {
            }
        }
        catch (Exception ex)
        {
            LogLoopFailed(_logger, _endpoint.Name, ex);
        }
        finally
        {
            foreach (PollClient client in _clients.ToArray())
            {
                Close(client);
            }

            _group.RemoveClients(_clients.Count);
            _clients.Clear();
            _listener?.Dispose();
            LibC.Close(_wakeFd);
            Snapshot = [];
            _finished.TrySetResult();
        }
    }

    /// <summary>One round; false when the loop is done.</summary>
    private bool RunOnce()
    {
        int count = BuildPollSet();
        int ready = LibC.Poll(_fds, count, Timeout(), out int errno);
        if (ready < 0 && errno != LibC.EINTR && errno != LibC.EAGAIN)
        {
            throw new InvalidOperationException($"poll failed (errno {errno})");
        }

        if (ready > 0 && (_fds[0].Revents & LibC.PollIn) != 0)
        {
            LibC.Drain(_wakeFd, _wakeScratch);
        }

        Volatile.Write(ref _wakePending, 0);
        RunPostedWork();
        if (ready > 0)
        {
            if (_listening && _listener is not null && _fds[1].Fd == (int)_listener.Handle && _fds[1].Revents != 0)
            {
                AcceptAll();
            }

            HandleClientEvents(count);
        }

        FlushDirty();
        long now = Stopwatch.GetTimestamp();
        if (now >= _nextHeartbeat)
        {
            _nextHeartbeat = now + Stopwatch.Frequency;
            Heartbeat();
        }

        if (_snapshotStale)
        {
            // Only when a client came, went or was asked to close: rebuilding it every round allocated an object per
            // client per round on the hot path.
            _snapshotStale = false;
            Snapshot = [.. _clients.Select(c => new DispatcherConnectionInfo(c.Id, c.Socket.RemoteEndPoint, c.Socket.LocalEndPoint, c.ConnectedAt, c.CloseRequested) { Thread = _thread?.Name })];
        }

        return Continue(now);
    }

    private int BuildPollSet()
    {
        int count = 2 + _clients.Count;
        if (_fds.Length < count)
        {
            _fds = new LibC.PollFd[count * 2];
        }

        _fds[0] = new LibC.PollFd { Fd = _wakeFd, Events = LibC.PollIn };
        bool acceptNow = _listening && _listener is not null && Stopwatch.GetTimestamp() >= _acceptResumeAt;
        _fds[1] = new LibC.PollFd { Fd = acceptNow ? (int)_listener!.Handle : -1, Events = LibC.PollIn };
        for (int i = 0; i < _clients.Count; i++)
        {
            _fds[i + 2] = new LibC.PollFd { Fd = _clients[i].Fd, Events = _clients[i].Interest };
        }

        return count;
    }

    /// <summary>Milliseconds until the next thing due: the heartbeat, an accept back-off, a poll timeout.</summary>
    private int Timeout()
    {
        if (!_work.IsEmpty)
        {
            return 0;
        }

        long now = Stopwatch.GetTimestamp();
        long due = _nextHeartbeat;
        if (_acceptResumeAt > now)
        {
            due = Math.Min(due, _acceptResumeAt);
        }

        return (int)Math.Clamp((due - now) * 1000 / Stopwatch.Frequency, 0, 1000);
    }

    private void RunPostedWork()
    {
        // Only what is queued now: work that posts more runs next round, after a poll.
        for (int n = _work.Count; n > 0 && _work.TryDequeue(out var item); n--)
        {
            // Work for a client that has closed still runs: it may be a handler's continuation waiting to enter the
            // gate (to finish or to notice the reset), which would otherwise never resume. The session copes with
            // being called after the transport closed; only the write is pointless then.
            try
            {
                item.Work(item.State);
            }
            catch (Exception ex)
            {
                LogWorkFailed(_logger, _endpoint.Name, ex);
            }

            if (item.Client is { Closed: false })
            {
                item.Client.MarkDirty();
            }
        }
    }

    private void AcceptAll()
    {
        while (true)
        {
            if (!_backoff.MayAccept(out TimeSpan hold))
            {
                _acceptResumeAt = Stopwatch.GetTimestamp() + (long)(hold.TotalSeconds * Stopwatch.Frequency);
                return;
            }

            Socket socket;
            try
            {
                socket = _listener!.Accept();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException ex) when (AcceptBackoff.IsRetryable(ex.SocketErrorCode))
            {
                TimeSpan wait = _backoff.OnFailure(ex.SocketErrorCode);
                _acceptResumeAt = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
                return;
            }

            _backoff.OnSuccess();
            _lastTraffic = Stopwatch.GetTimestamp();
            if (!_group.TryAddClient())
            {
                // Over capacity: accepted (off the backlog) and closed at once, with a warning.
                _endpoint.Observer.Rejected("poll-capacity");
                _rejections.Report(_group.ClientCount);
                socket.Dispose();
                continue;
            }

            PollLoop target = _group.HandOff ? _group.NextLoop() : this;
            if (target == this)
            {
                Adopt(socket);
            }
            else
            {
                target.Enqueue(static state => { var (loop, s) = ((PollLoop, Socket))state!; loop.Adopt(s); }, (target, socket), null);
            }
        }
    }

    /// <summary>Makes an accepted (and counted) socket a client of this loop; on this loop's thread.</summary>
    private void Adopt(Socket socket)
    {
        _lastTraffic = Stopwatch.GetTimestamp();
        if (_aborted)
        {
            // A hand-off that arrived after this loop's shutdown timeout: nothing will serve it.
            _group.RemoveClients(1);
            socket.Dispose();
            return;
        }

        socket.Blocking = false;
        ListenSocket.TrySetNoDelay(socket, _endpoint.Options.NoDelay);
        try
        {
            var client = new PollClient(this, socket, _endpoint, _tlsEngines?.Create());
            _clients.Add(client);
            _snapshotStale = true;
            client.MarkDirty(); // a protocol may speak first
            if (_stopRequested)
            {
                client.CloseRequested = true;
                client.Processor?.RequestClose();
            }
        }
        catch (Exception ex)
        {
            LogConnectionFailed(_logger, _endpoint.Name, ex);
            _group.RemoveClients(1);
            socket.Dispose();
        }
    }

    private void HandleClientEvents(int count)
    {
        for (int i = 2; i < count; i++)
        {
            short revents = _fds[i].Revents;
            if (revents == 0)
            {
                continue;
            }

            PollClient client = _clients[i - 2];
            if (client.Closed)
            {
                continue;
            }

            _lastTraffic = Stopwatch.GetTimestamp();
            if ((revents & LibC.PollNval) != 0)
            {
                Close(client);
                continue;
            }

            if ((revents & LibC.PollOut) != 0)
            {
                client.OnWritable();
            }

            // ERR and HUP come with whatever is left to read; reading finds the end (or the error).
            if ((revents & (LibC.PollIn | LibC.PollErr | LibC.PollHup)) != 0)
            {
                client.OnReadable();
            }

            Pump(client);
        }
    }

    /// <summary>Runs the client's next actions until none is left (bounded, so one client cannot starve the rest).</summary>
    private void Pump(PollClient client)
    {
        client.ClearDirty();
        for (int i = 0; i < 10_000; i++)
        {
            PollAction action = client.NextAction();
            if (action == PollAction.None)
            {
                return;
            }

            _trace?.Record(client, action);
            if (action == PollAction.Close)
            {
                Close(client);
                return;
            }

            client.Execute(action);
        }

        client.MarkDirty(); // still busy: continue next round
    }

    /// <summary>Lets every client with news (work from handlers, heartbeats) act, and closes those that are done.</summary>
    private void FlushDirty()
    {
        for (int i = 0; i < _dirty.Count; i++)
        {
            PollClient client = _dirty[i];
            if (client.Dirty && !client.Closed)
            {
                Pump(client);
            }
        }

        _dirty.Clear();
        int removed = _clients.RemoveAll(static c => c.Closed);
        if (removed > 0)
        {
            _group.RemoveClients(removed);
            _snapshotStale = true;
        }
    }

    private void Heartbeat()
    {
        long now = Stopwatch.GetTimestamp();
        foreach (PollClient client in _clients)
        {
            if (client.Closed)
            {
                continue;
            }

            if (client.IsHandshaking && now - client.AcceptedAt > _handshakeTimeout)
            {
                client.OnHandshakeTimeout();
            }

            client.Processor?.OnHeartbeat();
            client.MarkDirty();
        }

        FlushDirty();
    }

    /// <summary>Stop requests, the shutdown timeout, and the poll timeouts; false when the loop is done.</summary>
    private bool Continue(long now)
    {
        if (!_stopRequested)
        {
            // Judged on the whole endpoint: every loop's clients and traffic.
            int clients = _group.ClientCount;
            TimeSpan? idle = clients == 0 ? _endpoint.Options.NoClientPollTimeout : _endpoint.Options.PollTimeout;
            if (idle is { } limit && Stopwatch.GetElapsedTime(_group.LastTraffic, now) > limit)
            {
                if (_group.TryClaimTimeout())
                {
                    LogPollTimeout(_logger, _endpoint.Name, limit.TotalSeconds, clients == 0 ? "NoClientPollTimeout" : "PollTimeout", clients);
                    _group.RequestStop();
                }

                _stopRequested = true;
            }
            else
            {
                return true;
            }
        }

        if (_listening)
        {
            // Begin the stop: no new clients; everyone is asked to finish and close (HTTP/2: GOAWAY NO_ERROR).
            _listening = false;
            _listener?.Dispose();
            _shutdownDeadline = now + (long)(_endpoint.Transport.ShutdownTimeout.TotalSeconds * Stopwatch.Frequency);
            if (_group.ClientCount > 0 && _group.TryClaimDrainingLog())
            {
                DispatcherLog.Draining(_logger, _endpoint.Name, _group.ClientCount); // one line for all the loops
            }

            _snapshotStale = true;
            foreach (PollClient client in _clients)
            {
                client.CloseRequested = true;
                if (client.Processor is null)
                {
                    Close(client); // still in its TLS handshake: nothing to finish
                    continue;
                }

                client.Processor.RequestClose();
                client.MarkDirty();
            }

            FlushDirty();
        }

        if (_clients.Count == 0)
        {
            return false;
        }

        if (_abortRequested && !_aborted)
        {
            _shutdownDeadline = now;
        }

        if (now >= _shutdownDeadline && !_aborted)
        {
            // The shutdown timeout expired: each protocol says what it abandons, then a last grace second.
            _aborted = true;
            DispatcherLog.AbortingConnections(_logger, _endpoint.Name, _clients.Count);
            foreach (PollClient client in _clients)
            {
                client.Processor?.Abort("the server's shutdown timeout expired");
                client.MarkDirty();
            }

            FlushDirty();
            _shutdownDeadline = now + Stopwatch.Frequency;
        }
        else if (now >= _shutdownDeadline && _aborted)
        {
            return false; // Run's finally closes the rest
        }

        return true;
    }

    private void Close(PollClient client)
    {
        if (client.Closed)
        {
            return;
        }

        client.Close();
        _endpoint.Observer.Closed(client.Id, client.Remote, client.OpenedAt);
    }

    [LoggerMessage(EventId = 140, Level = LogLevel.Information,
        Message = "Endpoint '{Endpoint}': no traffic for {Seconds} s ({Setting}, {Clients} client(s)); the poll dispatcher shuts down gracefully")]
    private static partial void LogPollTimeout(ILogger logger, string endpoint, double seconds, string setting, int clients);

    [LoggerMessage(EventId = 141, Level = LogLevel.Critical, Message = "Endpoint '{Endpoint}': the poll loop failed; it serves no more clients")]
    private static partial void LogLoopFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 142, Level = LogLevel.Error, Message = "Endpoint '{Endpoint}': work posted to the poll loop failed")]
    private static partial void LogWorkFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 143, Level = LogLevel.Error, Message = "Endpoint '{Endpoint}': a connection failed to start")]
    private static partial void LogConnectionFailed(ILogger logger, string endpoint, Exception exception);
}
