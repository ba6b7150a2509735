using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
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
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly ServerAddressesFeature _addresses = new();
    private EndpointHost? _endpoints;
    private bool _started;

    /// <remarks>
    /// Nothing is resolved here: WebApplication builds the server (for its features) inside <c>Build()</c>, and a
    /// configuration error must surface at the start, where <c>Http2LabHostRunner</c> reports it as one line.
    /// </remarks>
    public Http2LabServer(IServiceProvider services, ILogger<Http2LabServer> logger)
    {
        _services = services;
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
        long? maxRequestBodySize = _services.GetRequiredService<IOptions<Http2Limits>>().Value.MaxRequestBodySize;
        var runner = new ApplicationRunner<TContext>(application, maxRequestBodySize, _logger);
        _services.GetRequiredService<Http2ApplicationHandler>().Handler = runner.HandleAsync;
        UseApplicationUrls(_services.GetRequiredService<IOptions<TransportOptions>>().Value.Endpoints);
        _endpoints = _services.GetRequiredService<EndpointHost>();
        await _endpoints.StartAsync(cancellationToken).ConfigureAwait(false);

        ICollection<string> addresses = _addresses.Addresses;
        addresses.Clear();
        foreach (KeyValuePair<string, Uri> address in _services.GetRequiredService<IBoundEndpoints>().Addresses)
        {
            addresses.Add(address.Value.GetLeftPart(UriPartial.Authority));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _endpoints?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public void Dispose()
    {
        // Nothing of its own: the endpoint host is a singleton of the container, which disposes it (asynchronously)
        // with the host; disposing it here too would block on it a second time.
    }

    /// <summary>
    /// <c>app.Urls.Add(…)</c> / <c>app.Run(url)</c> fill <see cref="IServerAddressesFeature"/> before the start. They
    /// count only where no endpoint was configured (the endpoints then come from <c>urls</c> or the default), as
    /// Kestrel lets its own endpoint configuration win.
    /// </summary>
    private void UseApplicationUrls(Dictionary<string, EndpointOptions> configured)
    {
        string[] wanted = [.. _addresses.Addresses];
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
