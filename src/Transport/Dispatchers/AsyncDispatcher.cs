using System.Net;
using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// The async/await dispatcher: binds through an <see cref="IConnectionListenerFactory"/> (our accept loop over
/// Kestrel's socket connections by default), accepts in a loop and runs every connection's pipeline — logging,
/// TLS, then the protocol's processor over pipes — with async/await on the thread pool.
/// </summary>
/// <remarks>
/// TCP_NODELAY: Kestrel's socket factory applies <c>SocketTransportOptions.NoDelay</c> to every endpoint it
/// binds, so the per-endpoint <see cref="EndpointOptions.NoDelay"/> is applied here, per accepted socket,
/// through <see cref="IConnectionSocketFeature"/> when the transport exposes one.
/// </remarks>
internal sealed class AsyncDispatcher : Dispatcher
{
    // After aborting, connection pipelines unwind quickly (their reads fail); don't let one stall the host.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(2);

    private readonly IConnectionListenerFactory _listenerFactory;
    private readonly TimeSpan _shutdownTimeout;
    private readonly ILogger _logger;
    private readonly ConnectionTracker _connections = new();
    private IConnectionListener? _listener;
    private Heartbeat? _heartbeat;
    private RejectionLog _rejections;
    private Task _acceptLoop = Task.CompletedTask;
    private int _stopped;

    /// <summary>Creates the dispatcher of one endpoint.</summary>
    /// <param name="endpoint">The prepared endpoint (its <see cref="EndpointContext.PipeApplication"/> runs each connection).</param>
    /// <param name="listenerFactory">Binds the endpoint (<see cref="Sockets.SocketListenerFactory"/> by default).</param>
    /// <param name="logger">Logs connection failures and the stop sequence.</param>
    public AsyncDispatcher(EndpointContext endpoint, IConnectionListenerFactory listenerFactory, ILogger<AsyncDispatcher> logger)
        : base(endpoint)
    {
        ArgumentNullException.ThrowIfNull(listenerFactory);
        ArgumentNullException.ThrowIfNull(logger);
        _listenerFactory = listenerFactory;
        _shutdownTimeout = endpoint.Transport.ShutdownTimeout;
        _logger = logger;
        _rejections = new RejectionLog(logger, endpoint.Name, endpoint.MaxConnections, "MaxConnections");
    }

    /// <summary>Binds the endpoint, sets <see cref="Dispatcher.BoundUrl"/> and starts the accept loop.</summary>
    /// <param name="cancellationToken">Aborts the bind.</param>
    /// <exception cref="AddressInUseException">The port is already in use.</exception>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException($"The dispatcher of endpoint '{EndpointName}' is already started.");
        }

        _listener = await _listenerFactory.BindAsync(Url.BindEndPoint, cancellationToken).ConfigureAwait(false);
        BoundUrl = Url.ToBoundUri(_listener.EndPoint);

        // The accept loop must not run on the caller's (host start) context.
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_listener));
        _heartbeat = new Heartbeat(_connections.Heartbeat);
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listener is not { } listener || Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // 1. Stop accepting: AcceptAsync returns null once unbound, which ends the loop.
        // Unbinding a socket is immediate; it must happen even when the stop token has already fired.
        try
        {
            await listener.UnbindAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        await _acceptLoop.ConfigureAwait(false);

        // 2. Ask every live connection to finish what it is doing and close.
        if (_connections.Count > 0)
        {
            DispatcherLog.Draining(_logger, EndpointName, _connections.Count);
            _connections.RequestCloseAll();
        }

        // 3. Wait for them within the drain budget, then abort whoever is left.
        if (!await _connections.WaitForAllAsync(_shutdownTimeout, cancellationToken).ConfigureAwait(false))
        {
            // 4. Each protocol says what it abandons (HTTP/2: RST_STREAM CANCEL, GOAWAY), then the sockets close.
            DispatcherLog.AbortingConnections(_logger, EndpointName, _connections.Count);
            _connections.ShutdownTimeoutAll();
            if (!await _connections.WaitForAllAsync(AbortGrace, CancellationToken.None).ConfigureAwait(false))
            {
                _connections.AbortAll("The server is shutting down.");
                await _connections.WaitForAllAsync(AbortGrace, CancellationToken.None).ConfigureAwait(false);
            }
        }

        _heartbeat?.Dispose();
        await listener.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override IReadOnlyList<DispatcherConnectionInfo> GetConnections() => _connections.Snapshot();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        // Disposed without a stop (e.g. another endpoint failed to start): stop without a graceful drain.
        if (_listener is not null && Volatile.Read(ref _stopped) == 0)
        {
            await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(IConnectionListener listener)
    {
        while (true)
        {
            ConnectionContext? context;
            try
            {
                context = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                DispatcherLog.AcceptFailed(_logger, EndpointName, ex);
                return;
            }

            if (context is null)
            {
                return; // Unbound.
            }

            if (_connections.Count >= Context.MaxConnections)
            {
                // Over the limit: accepted (to take it off the backlog) and closed at once.
                Context.Observer.Rejected("limit");
                _rejections.Report(_connections.Count);
                await context.DisposeAsync().ConfigureAwait(false);
                continue;
            }

            // Track before scheduling so a stop that starts now still asks this connection to close.
            var connection = _connections.Add(context);
            _ = Task.Run(() => RunConnectionAsync(connection));
        }
    }

    private async Task RunConnectionAsync(TrackedConnection connection)
    {
        var context = connection.Context;
        try
        {
            ApplyNoDelay(context);
            await Context.PipeApplication(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsNetworkEnd(ex))
        {
            DispatcherLog.ConnectionEndedByNetwork(_logger, EndpointName, context.ConnectionId, ex.Message);
        }
        catch (Exception ex)
        {
            DispatcherLog.ConnectionFailed(_logger, EndpointName, context.ConnectionId, ex);
        }
        finally
        {
            try
            {
                // Completes the transport pipes and closes the socket.
                await context.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                DispatcherLog.ConnectionEndedByNetwork(_logger, EndpointName, context.ConnectionId, ex.Message);
            }

            _connections.Remove(connection);
        }
    }

    private void ApplyNoDelay(ConnectionContext context)
    {
        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return;
        }

        try
        {
            if (socket.NoDelay != Endpoint.NoDelay)
            {
                socket.NoDelay = Endpoint.NoDelay;
            }
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            DispatcherLog.NoDelayFailed(_logger, EndpointName, Endpoint.NoDelay, context.ConnectionId, ex.Message);
        }
    }

    private static bool IsNetworkEnd(Exception ex) =>
        ex is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException;
}
