using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.AspNetCore;

/// <summary>
/// The <see cref="IServer"/> ASP.NET Core runs its application on: Http2Lab's endpoints (from the <c>Http2Lab</c>
/// section, or <c>urls</c> / <c>app.Urls</c>), every dispatcher, h2c and TLS. Starting it sends every request of the
/// <c>Http2</c> protocol to the application and binds the endpoints; <see cref="IServerAddressesFeature"/> then lists
/// what is listening.
/// </summary>
internal sealed class Http2LabServer : IServer
{
    private readonly EndpointHost _endpoints;
    private readonly IBoundEndpoints _bound;
    private readonly Http2ApplicationHandler _handler;
    private readonly IOptions<TransportOptions> _transport;
    private readonly IOptions<Http2Limits> _limits;
    private readonly ILogger _logger;
    private readonly ServerAddressesFeature _addresses = new();
    private bool _started;

    public Http2LabServer(EndpointHost endpoints, IBoundEndpoints bound, Http2ApplicationHandler handler,
        IOptions<TransportOptions> transport, IOptions<Http2Limits> limits, ILogger<Http2LabServer> logger)
    {
        _endpoints = endpoints;
        _bound = bound;
        _handler = handler;
        _transport = transport;
        _limits = limits;
        _logger = logger;
        Features.Set<IServerAddressesFeature>(_addresses); // read (and filled from urls) by the hosting layer before the start
    }

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        ArgumentNullException.ThrowIfNull(application);
        if (_started)
        {
            throw new InvalidOperationException("The server has already started.");
        }

        _started = true;
        var runner = new ApplicationRunner<TContext>(application, _limits.Value.MaxRequestBodySize, _logger);
        _handler.Handler = runner.HandleAsync;
        UseApplicationUrls();
        await _endpoints.StartAsync(cancellationToken).ConfigureAwait(false);

        ICollection<string> addresses = _addresses.Addresses;
        addresses.Clear();
        foreach (KeyValuePair<string, Uri> address in _bound.Addresses)
        {
            addresses.Add(address.Value.GetLeftPart(UriPartial.Authority));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _started ? _endpoints.StopAsync(cancellationToken) : Task.CompletedTask;

    public void Dispose() => _endpoints.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// <c>app.Urls.Add(…)</c> / <c>app.Run(url)</c> fill <see cref="IServerAddressesFeature"/> before the start. They
    /// count only where no endpoint was configured (the endpoints then come from <c>urls</c> or the default), as
    /// Kestrel lets its own endpoint configuration win.
    /// </summary>
    private void UseApplicationUrls()
    {
        string[] wanted = [.. _addresses.Addresses];
        Dictionary<string, EndpointOptions> configured = _transport.Value.Endpoints;
        if (wanted.Length == 0 || configured.Values.Any(e => e.GeneratedFrom is null))
        {
            return;
        }

        var generated = configured.Values.Select(e => e.Url).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (generated.SetEquals(wanted))
        {
            return;
        }

        configured.Clear();
        foreach (string url in wanted)
        {
            configured[url] = new EndpointOptions { Url = url, GeneratedFrom = "app.Urls" };
        }
    }
}
