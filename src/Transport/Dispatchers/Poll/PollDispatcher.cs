using System.Net;
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
public sealed class PollDispatcher : Dispatcher
{
    private readonly ILogger _logger;
    private PollLoop? _loop;
    private ITlsEngineFactory? _tlsEngines;
    private int _stopped;

    /// <summary>Creates the dispatcher of one endpoint.</summary>
    public PollDispatcher(EndpointContext endpoint, ILogger<PollDispatcher> logger)
        : base(endpoint) => _logger = logger;

    /// <summary>Completes when the loop has ended: after a stop, or when a poll timeout shut it down.</summary>
    public Task Completion => _loop?.Finished ?? Task.CompletedTask;

    /// <inheritdoc />
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Poll dispatcher uses poll(2) and eventfd(2): Linux only.");
        }

        if (_loop is not null)
        {
            throw new InvalidOperationException($"The dispatcher of endpoint '{EndpointName}' is already started.");
        }

        var listener = ListenSocket.Bind(Url.EndPoint, blocking: false);
        BoundUrl = EndpointUrl.ToUri(Url.IsHttps, (IPEndPoint)listener.LocalEndPoint!);
        try
        {
            _tlsEngines = Context.Tls is { } tls ? TlsEngines.Create(Endpoint.TlsEngine, tls) : null;
        }
        catch (PlatformNotSupportedException ex)
        {
            listener.Dispose();
            throw new Http2LabConfigurationException($"{Context.Key}:TlsEngine",
                $"the {Endpoint.TlsEngine} engine cannot run here ({ex.Message}); use SslStream", ex);
        }
        _loop = new PollLoop(Context, listener, _tlsEngines, _logger);
        _loop.Start();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _loop.RequestStop();
        using (cancellationToken.Register(static l => ((PollLoop)l!).AbortNow(), _loop))
        {
            await _loop.Finished.ConfigureAwait(false);
        }

        _tlsEngines?.Dispose();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DispatcherConnectionInfo> GetConnections() => _loop?.Snapshot ?? [];

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_loop is not null && Volatile.Read(ref _stopped) == 0)
        {
            await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
