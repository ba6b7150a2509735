using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Samples.WebHost;
using Http2Lab.Transport.Dispatchers;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// An in-process Http2Lab server built the way the sample builds it (generic host, configuration,
/// <c>UseHttp2Lab</c>, <see cref="DemoRoutes.Map"/>) plus <see cref="TestRoutes"/>, listening on one endpoint per
/// entry of <see cref="ServerMatrix.All"/> (or the ones asked for): <c>Async-h2c</c> = http://127.0.0.1:0 on the
/// Async dispatcher, <c>SingleClient-h2</c> = https://127.0.0.1:0 (development certificate) on SingleClient, and so
/// on. <c>h2c</c> and <c>h2</c> are aliases of the Async endpoints.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    /// <summary>Bound for start, stop and every wait on the server.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// MaxClients of the Poll endpoints (the dispatcher's default is 10; one client more is accepted and closed).
    /// The suite needs more: h2load opens 10 connections at once, and connections of the previous test (HttpClient's
    /// pool, a closing curl) may not have been reaped yet when the next test connects. 64 leaves room for that
    /// without hiding a leak: a suite that leaked a connection per test would still run out.
    /// </summary>
    public const int PollMaxClients = 64;

    private readonly IReadOnlyDictionary<string, Uri> _urls;

    private TestServer(IHost host, IReadOnlyDictionary<string, Uri> urls, TestLog log)
    {
        Host = host;
        _urls = urls;
        Log = log;
    }

    public IHost Host { get; }

    /// <summary>The cleartext endpoint of the Async dispatcher, e.g. http://127.0.0.1:41234.</summary>
    public Uri H2c => Url("h2c");

    /// <summary>The TLS endpoint of the Async dispatcher, e.g. https://127.0.0.1:41235.</summary>
    public Uri H2 => Url("h2");

    /// <summary>What the server logged (warnings and above).</summary>
    public TestLog Log { get; }

    /// <summary>The URL of an endpoint: a <see cref="ServerEndpoint.Name"/> such as <c>Poll-h2c</c>, or <c>h2c</c> / <c>h2</c>.</summary>
    public Uri Url(string endpoint) => _urls.TryGetValue(ServerMatrix.Resolve(endpoint), out Uri? url)
        ? url
        : throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, $"this server listens on {string.Join(", ", _urls.Keys)} (and h2c, h2 for the Async ones)");

    /// <summary>An absolute URL on endpoint <paramref name="endpoint"/>.</summary>
    public string Url(string endpoint, string pathAndQuery) => new Uri(Url(endpoint), pathAndQuery).ToString();

    /// <summary>
    /// Starts a server. <paramref name="endpoints"/> limits it to some endpoints (names or aliases); by default it
    /// listens on every combination of <see cref="ServerMatrix.All"/>. <paramref name="protocol"/> is every endpoint's
    /// <c>Protocol</c> (<c>Http2</c>, or <c>Http2Static</c> for the static responder).
    /// </summary>
    public static async Task<TestServer> StartAsync(
        Action<Http2Limits>? limits = null, Action<Http2Router>? routes = null, IEnumerable<string>? endpoints = null, string protocol = "Http2")
    {
        ServerEndpoint[] selected = endpoints is null ? [.. ServerMatrix.All] : [.. endpoints.Select(ServerEndpoint.Parse).Distinct()];
        var settings = new Dictionary<string, string?> { ["Http2Lab:ShutdownTimeout"] = "00:00:05" };
        foreach (ServerEndpoint endpoint in selected)
        {
            string key = $"Http2Lab:Endpoints:{endpoint.Name}";
            settings[$"{key}:Url"] = endpoint.Tls ? "https://127.0.0.1:0" : "http://127.0.0.1:0";
            settings[$"{key}:Dispatcher"] = endpoint.Dispatcher;
            settings[$"{key}:Protocol"] = protocol;
            if (endpoint.Dispatcher == ServerMatrix.Poll)
            {
                settings[$"{key}:MaxClients"] = PollMaxClients.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(settings);

        var log = new TestLog();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(log);

        builder.UseHttp2Lab(options => limits?.Invoke(options.Limits));
        builder.Services.AddHttp2Routes(DemoRoutes.Map);
        builder.Services.AddHttp2Routes(TestRoutes.Map);
        if (routes is not null)
        {
            builder.Services.AddHttp2Routes(routes);
        }

        IHost host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(Timeout);
            var bound = host.Services.GetRequiredService<IBoundEndpoints>();
            var urls = new Dictionary<string, Uri>();
            foreach (ServerEndpoint endpoint in selected)
            {
                Uri url = await bound.GetUrlAsync(endpoint.Name).WaitAsync(Timeout);
                Assert.Equal("127.0.0.1", url.Host);
                Assert.NotEqual(0, url.Port);
                Assert.Equal(endpoint.Tls ? "https" : "http", url.Scheme);

                // The endpoint really runs on the dispatcher its name says (a misspelt key would fall back to Async).
                Assert.True(bound.TryGetDispatcher(endpoint.Name, out Dispatcher? dispatcher), $"no dispatcher for endpoint {endpoint.Name}");
                Assert.Equal(endpoint.Dispatcher + "Dispatcher", dispatcher.GetType().Name);
                urls[endpoint.Name] = url;
            }

            return new TestServer(host, urls, log);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Stops the host gracefully (bounded) and disposes it.</summary>
    public async Task StopAsync()
    {
        using var stop = new CancellationTokenSource(Timeout);
        await Host.StopAsync(stop.Token).WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Host.Dispose();
        }
    }
}
