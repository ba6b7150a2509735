using System.Net;
using System.Net.Sockets;
using Http2Lab.Transport.Dispatchers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The hosted service that starts one dispatcher per configured endpoint — two for <c>localhost</c>, one per loopback —
/// (endpoints are only known once configuration is bound) and stops them together. Bind errors become
/// <see cref="Http2LabConfigurationException"/> naming the URL's key. When the configuration reloads, endpoints
/// added are bound and endpoints removed are drained (EndpointHost.Reload.cs).
/// </summary>
internal sealed partial class EndpointHost(
    IServiceProvider services,
    IOptions<TransportOptions> options,
    DispatcherRegistry dispatchers,
    ConnectionPipelineFactory pipelines,
    BoundEndpoints bound,
    TransportConfigurationKeys keys,
    ILogger<EndpointHost> logger,
    ReloadableOptions<TransportOptions>? reloadable = null) : IHostedService, IAsyncDisposable
{
    /// <summary>The running endpoints by name; changed only under <see cref="_changes"/> once started.</summary>
    private readonly Dictionary<string, EndpointRun> _endpoints = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _prepareLock = new();
    private List<EndpointContext>? _prepared;

    /// <summary>
    /// Builds every endpoint's pipeline (loading certificates) without binding anything, so configuration
    /// errors can be reported before the host starts. Idempotent; <see cref="StartAsync"/> calls it too.
    /// </summary>
    public void Prepare()
    {
        lock (_prepareLock)
        {
            _prepared ??= [.. options.Value.Endpoints.Select(p => pipelines.Create(p.Key, p.Value, keys.Endpoint(p.Key, p.Value)))];
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            AssemblyPreloader.LoadConnectionPath(); // before the first connection could meet the descriptor limit
            Prepare();
            foreach (var endpoint in _prepared!)
            {
                var run = new EndpointRun(Fingerprint(endpoint.Options));
                _endpoints[endpoint.Name] = run;
                await StartEndpointAsync(endpoint, run, cancellationToken).ConfigureAwait(false);
            }

            bound.AllBound();
            FollowReloads();
        }
        catch (Exception ex)
        {
            bound.Failed(ex);

            // Release the ports already bound, so a failed start leaves nothing listening.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A reload being applied finishes first (bounded by the drain it may be waiting for); none starts after this.
        await StopFollowingReloadsAsync(cancellationToken).ConfigureAwait(false);
        EndpointRun[] runs = [.. _endpoints.Values];
        await Task.WhenAll(runs.SelectMany(r => r.Dispatchers).Select(d => d.StopAsync(cancellationToken))).ConfigureAwait(false);
        foreach (var run in runs)
        {
            run.RemoveUnixSocketFiles();
        }
    }

    public async ValueTask DisposeAsync()
    {
        StopFollowing();
        foreach (var run in _endpoints.Values)
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }

        _endpoints.Clear();
    }

    /// <summary>
    /// Binds one endpoint: its address, or for <c>localhost</c> 127.0.0.1 and then [::1] on the same port (as
    /// Kestrel does); <c>*</c> is bound dual-stack, or IPv4 only on a machine without IPv6.
    /// </summary>
    private async Task StartEndpointAsync(EndpointContext endpoint, EndpointRun run, CancellationToken cancellationToken)
    {
        var url = endpoint.Url;
        var first = url switch
        {
            { IsLocalhost: true } => endpoint.WithUrl(url.WithAddress(IPAddress.Loopback, url.Port)),
            { IsWildcard: true } when !Socket.OSSupportsIPv6 => endpoint.WithUrl(url.WithAddress(IPAddress.Any, url.Port)),
            _ => endpoint,
        };

        if (url.UnixSocketPath is { } path && Sockets.UnixSocketFile.RemoveStale(path) is { } problem)
        {
            throw new Http2LabConfigurationException(endpoint.UrlKey, $"{url}: {problem}");
        }

        var dispatcher = dispatchers.Create(services, first);
        run.Dispatchers.Add(dispatcher);
        var address = await StartDispatcherAsync(first, dispatcher, cancellationToken).ConfigureAwait(false);
        if (url.UnixSocketPath is { } socketFile)
        {
            run.UnixSockets.Add(socketFile); // ours now: removed at stop
        }

        if (url.IsLocalhost)
        {
            // Port 0 has just been resolved: the IPv6 loopback takes the same port, so "localhost:port" means one thing.
            await StartIPv6LoopbackAsync(endpoint, run, url.WithAddress(IPAddress.IPv6Loopback, address.Port), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Binds the [::1] half of a <c>localhost</c> endpoint; where that cannot be, 127.0.0.1 serves alone.</summary>
    private async Task StartIPv6LoopbackAsync(EndpointContext endpoint, EndpointRun run, EndpointUrl url, CancellationToken cancellationToken)
    {
        if (!Socket.OSSupportsIPv6)
        {
            LogIPv6LoopbackSkipped(logger, endpoint.Name, url.ToString(), "IPv6 is not available on this machine");
            return;
        }

        var ipv6 = endpoint.WithUrl(url);
        var dispatcher = dispatchers.Create(services, ipv6);
        run.Dispatchers.Add(dispatcher);
        try
        {
            await dispatcher.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or AddressInUseException)
        {
            run.Dispatchers.Remove(dispatcher);
            await dispatcher.DisposeAsync().ConfigureAwait(false);

            // A configured port taken on [::1] is a real conflict (clients of localhost would reach the other server);
            // a port 0 picked for 127.0.0.1 that happens to be taken on [::1] is not.
            if (endpoint.Url.Port != 0 && IsAddressInUse(ex))
            {
                throw InUse(endpoint.UrlKey, url, ex);
            }

            LogIPv6LoopbackSkipped(logger, endpoint.Name, url.ToString(), ex.Message);
            return;
        }

        Listening(ipv6, dispatcher);
    }

    /// <summary>Starts a dispatcher, records and logs its address; bind errors become configuration errors naming the URL's key.</summary>
    private async Task<Uri> StartDispatcherAsync(EndpointContext endpoint, Dispatcher dispatcher, CancellationToken cancellationToken)
    {
        var url = dispatcher.Url;
        var key = endpoint.UrlKey;
        try
        {
            await dispatcher.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsAddressInUse(ex))
        {
            throw InUse(key, url, ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new Http2LabConfigurationException(key, $"{url}: the address {url.Host} is not an address of this machine", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new Http2LabConfigurationException(key, url.IsUnixSocket
                ? $"{url}: permission denied to create the socket file"
                : $"{url}: permission denied to bind port {url.Port}", ex);
        }
        catch (SocketException ex) when (url.IsUnixSocket)
        {
            throw new Http2LabConfigurationException(key, $"{url}: the socket cannot be bound ({ex.Message})", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressFamilyNotSupported)
        {
            throw new Http2LabConfigurationException(key, $"{url}: this machine does not support {url.Address.AddressFamily} addresses", ex);
        }

        return Listening(endpoint, dispatcher);
    }

    private Uri Listening(EndpointContext endpoint, Dispatcher dispatcher)
    {
        var url = dispatcher.BoundUrl ?? throw new InvalidOperationException(
            $"The {endpoint.Options.Dispatcher} dispatcher of endpoint '{endpoint.Name}' started without reporting its address.");
        bound.Bound(endpoint.Name, url, dispatcher);
        LogListening(logger, endpoint.Name, EndpointUrl.Format(url), endpoint.Options.Dispatcher, endpoint.Options.Protocol);
        return url;
    }

    private static bool IsAddressInUse(Exception ex) =>
        ex is AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };

    private static Http2LabConfigurationException InUse(string key, EndpointUrl url, Exception ex) =>
        new(key, url.IsUnixSocket
            ? $"{url}: the socket file is in use"
            : $"{url}: the address is already in use (is another server listening on port {url.Port}?)", ex);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information,
        Message = "Http2Lab endpoint '{Endpoint}' listening on {Url} (dispatcher {Dispatcher}, protocol {Protocol})")]
    private static partial void LogListening(ILogger logger, string endpoint, string url, string dispatcher, string protocol);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug,
        Message = "Http2Lab endpoint '{Endpoint}': not listening on {Url} ({Reason}); localhost is served on 127.0.0.1 only")]
    private static partial void LogIPv6LoopbackSkipped(ILogger logger, string endpoint, string url, string reason);
}
