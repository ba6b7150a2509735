using System.Net.Sockets;
using Http2Lab.Transport.Dispatchers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The hosted service that starts one dispatcher per configured endpoint (endpoints are only known once
/// configuration is bound) and stops them together. Bind errors become <see cref="Http2LabConfigurationException"/>.
/// </summary>
internal sealed partial class EndpointHost(
    IServiceProvider services,
    IOptions<TransportOptions> options,
    DispatcherRegistry dispatchers,
    ConnectionPipelineFactory pipelines,
    BoundEndpoints bound,
    TransportConfigurationKeys keys,
    ILogger<EndpointHost> logger) : IHostedService, IAsyncDisposable
{
    private readonly List<Dispatcher> _running = [];
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
            _prepared ??= [.. options.Value.Endpoints.Select(p =>
            {
                var key = keys.Endpoint(p.Key);
                return pipelines.Create(p.Key, p.Value, key);
            })];
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
                var dispatcher = dispatchers.Create(services, endpoint);
                _running.Add(dispatcher);
                await StartDispatcherAsync(endpoint.Key, dispatcher, cancellationToken).ConfigureAwait(false);

                var url = dispatcher.BoundUrl ?? throw new InvalidOperationException(
                    $"The {endpoint.Options.Dispatcher} dispatcher of endpoint '{endpoint.Name}' started without reporting its address.");
                bound.Bound(endpoint.Name, url, dispatcher);
                LogListening(logger, endpoint.Name, EndpointUrl.Format(url), endpoint.Options.Dispatcher, endpoint.Options.Protocol);
            }

            bound.AllBound();
        }
        catch (Exception ex)
        {
            bound.Failed(ex);

            // Release the ports already bound, so a failed start leaves nothing listening.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_running.Select(d => d.StopAsync(cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        foreach (var dispatcher in _running)
        {
            await dispatcher.DisposeAsync().ConfigureAwait(false);
        }

        _running.Clear();
    }

    private static async Task StartDispatcherAsync(string key, Dispatcher dispatcher, CancellationToken cancellationToken)
    {
        var url = dispatcher.Url;
        try
        {
            await dispatcher.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AddressInUseException ex)
        {
            throw InUse(key, url, ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw InUse(key, url, ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new Http2LabConfigurationException(
                $"{key}:Url", $"{url}: the address {url.Address} is not an address of this machine", ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AccessDenied)
        {
            throw new Http2LabConfigurationException(
                $"{key}:Url", $"{url}: permission denied to bind port {url.Port}", ex);
        }
    }

    private static Http2LabConfigurationException InUse(string key, EndpointUrl url, Exception ex) =>
        new($"{key}:Url", $"{url}: the address is already in use (is another server listening on port {url.Port}?)", ex);

    [LoggerMessage(EventId = 400, Level = LogLevel.Information,
        Message = "Http2Lab endpoint '{Endpoint}' listening on {Url} (dispatcher {Dispatcher}, protocol {Protocol})")]
    private static partial void LogListening(ILogger logger, string endpoint, string url, string dispatcher, string protocol);
}
