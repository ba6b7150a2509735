using System.Net;
using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Sockets;
using Http2Lab.Transport.Tls.Engines;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// One thread polling many non-blocking sockets (poll(2), Linux): the lab's event-loop experiment. Handlers run on
/// the loop's thread; one that awaits continues there later, woken through an eventfd — no other thread ever
/// touches a session. At most <see cref="EndpointOptions.MaxClients"/> clients (default 10); one more is accepted
/// and closed with a warning. <see cref="EndpointOptions.PollTimeout"/> (clients, no traffic) and
/// <see cref="EndpointOptions.NoClientPollTimeout"/> (no client) shut the dispatcher down gracefully. TLS runs
/// through a memory-buffer engine (<see cref="EndpointOptions.TlsEngine"/>) that never touches the socket; the loop
/// moves the octets (<see cref="PollClient"/>), and <see cref="EndpointOptions.PollTrace"/> logs why it did what.
/// </summary>
internal sealed partial class PollDispatcher : Dispatcher
{
    /// <summary>The most loops an endpoint may run.</summary>
    public const int MaxLoops = 256;

    private readonly ILogger _logger;
    private PollLoopGroup? _group;
    private ITlsEngineFactory? _tlsEngines;
    private int _stopped;

    /// <summary>Creates the dispatcher of one endpoint.</summary>
    public PollDispatcher(EndpointContext endpoint, ILogger<PollDispatcher> logger)
        : base(endpoint) => _logger = logger;

    /// <summary>Completes when the loop has ended: after a stop, or when a poll timeout shut it down.</summary>
    public Task Completion => _group is null ? Task.CompletedTask : Task.WhenAll(_group.Loops.Select(l => l.Finished));

    /// <summary>The loops serving the endpoint (<see cref="EndpointOptions.Loops"/>).</summary>
    public int LoopCount => _group?.LoopCount ?? 0;

    /// <summary>Whether the loops listen on the port each (SO_REUSEPORT) rather than one handing sockets to all.</summary>
    public bool LoopsShareThePort => _group is { HandOff: false, LoopCount: > 1 };

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Poll dispatcher uses poll(2) and eventfd(2): Linux only.");
        }

        if (_group is not null)
        {
            throw new InvalidOperationException($"The dispatcher of endpoint '{EndpointName}' is already started.");
        }

        int loops = Endpoint.Loops ?? Environment.ProcessorCount;
        if (loops is < 1 or > MaxLoops)
        {
            throw new Http2LabConfigurationException($"{Context.Key}:Loops", $"{loops} is not between 1 and {MaxLoops}");
        }

        List<Socket> listeners = BindListeners(loops);
        BoundUrl = Url.ToBoundUri(listeners[0].LocalEndPoint);
        try
        {
            _tlsEngines = Context.Tls is { } tls ? TlsEngines.Create(Endpoint.TlsEngine, tls) : null;
        }
        catch (PlatformNotSupportedException ex)
        {
            listeners.ForEach(l => l.Dispose());
            throw new Http2LabConfigurationException($"{Context.Key}:TlsEngine",
                $"the {Endpoint.TlsEngine} engine cannot run here ({ex.Message}); use SslStream", ex);
        }

        var group = new PollLoopGroup(loops, Math.Min(Endpoint.MaxClients, Context.MaxConnections), handOff: listeners.Count < loops);
        var all = new PollLoop[loops];
        for (int i = 0; i < loops; i++)
        {
            all[i] = new PollLoop(Context, i < listeners.Count ? listeners[i] : null, group, i, _tlsEngines, _logger);
        }

        group.SetLoops(all);
        _group = group;
        if (loops > 1)
        {
            LogLoops(_logger, EndpointName, loops, group.HandOff ? "one listener handing connections round-robin (no SO_REUSEPORT)" : "a listening socket each (SO_REUSEPORT)");
        }

        foreach (PollLoop loop in all)
        {
            loop.Start();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_group is null || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _group.RequestStop();
        using (cancellationToken.Register(static g => { foreach (PollLoop loop in ((PollLoopGroup)g!).Loops) { loop.AbortNow(); } }, _group))
        {
            await Completion.ConfigureAwait(false);
        }

        _tlsEngines?.Dispose();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DispatcherConnectionInfo> GetConnections() =>
        _group is null ? [] : _group.LoopCount == 1 ? _group.Loops[0].Snapshot : [.. _group.Loops.SelectMany(l => l.Snapshot)];

    /// <summary>Tests: behave as on an OS without SO_REUSEPORT, so the hand-off path runs on Linux too.</summary>
    internal static bool ReusePortUnavailableForTests { get; set; }

    /// <summary>
    /// One listening socket per loop on the same port (SO_REUSEPORT: the kernel spreads connections, and a loop
    /// accepts only its own); where the OS refuses, one socket, and its loop hands connections round-robin to all.
    /// </summary>
    private List<Socket> BindListeners(int loops)
    {
        if (loops == 1 || Url.IsUnixSocket)
        {
            // A Unix socket is one file: one listener, whose loop hands connections to the others.
            return [ListenSocket.Bind(Url.BindEndPoint, blocking: false)];
        }

        var listeners = new List<Socket>(loops);
        try
        {
            if (ReusePortUnavailableForTests)
            {
                throw new SocketException((int)SocketError.OperationNotSupported);
            }

            listeners.Add(ListenSocket.Bind(Url.EndPoint, blocking: false, reusePort: true));
            var port = new IPEndPoint(Url.EndPoint.Address, ((IPEndPoint)listeners[0].LocalEndPoint!).Port);
            while (listeners.Count < loops)
            {
                listeners.Add(ListenSocket.Bind(port, blocking: false, reusePort: true));
            }

            return listeners;
        }
        catch (SocketException ex) when (listeners.Count > 0 || ex.SocketErrorCode is SocketError.OperationNotSupported or SocketError.ProtocolOption)
        {
            LogNoReusePort(_logger, EndpointName, ex.SocketErrorCode);
            listeners.ForEach(l => l.Dispose());
            return [ListenSocket.Bind(Url.EndPoint, blocking: false)];
        }
    }

    [LoggerMessage(EventId = 145, Level = LogLevel.Debug, Message = "Endpoint '{Endpoint}': {Loops} poll loops, {How}")]
    private static partial void LogLoops(ILogger logger, string endpoint, int loops, string how);

    [LoggerMessage(EventId = 146, Level = LogLevel.Information, Message = "Endpoint '{Endpoint}': SO_REUSEPORT is not available ({Error}); one loop accepts and hands connections to the others")]
    private static partial void LogNoReusePort(ILogger logger, string endpoint, SocketError error);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_group is not null && Volatile.Read(ref _stopped) == 0)
        {
            await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
