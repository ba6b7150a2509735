using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Samples.WebHost;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// An in-process Http2Lab server built the way the sample builds it (generic host, configuration,
/// <c>UseHttp2Lab</c>, <see cref="DemoRoutes.Map"/>) plus <see cref="TestRoutes"/>, listening on
/// <c>h2c</c> = http://127.0.0.1:0 and <c>h2</c> = https://127.0.0.1:0 (development certificate).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    /// <summary>Bound for start, stop and every wait on the server.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private TestServer(IHost host, Uri h2c, Uri h2, TestLog log)
    {
        Host = host;
        H2c = h2c;
        H2 = h2;
        Log = log;
    }

    public IHost Host { get; }

    /// <summary>The cleartext endpoint, e.g. http://127.0.0.1:41234.</summary>
    public Uri H2c { get; }

    /// <summary>The TLS endpoint, e.g. https://127.0.0.1:41235.</summary>
    public Uri H2 { get; }

    /// <summary>What the server logged (warnings and above).</summary>
    public TestLog Log { get; }

    /// <summary>The URL of endpoint <c>h2c</c> or <c>h2</c>.</summary>
    public Uri Url(string endpoint) => endpoint switch
    {
        "h2c" => H2c,
        "h2" => H2,
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "expected h2c or h2"),
    };

    /// <summary>An absolute URL on endpoint <paramref name="endpoint"/>.</summary>
    public string Url(string endpoint, string pathAndQuery) => new Uri(Url(endpoint), pathAndQuery).ToString();

    public static async Task<TestServer> StartAsync(Action<Http2Limits>? limits = null, Action<Http2Router>? routes = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2c:Dispatcher"] = "Async",
            ["Http2Lab:Endpoints:h2:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2:Dispatcher"] = "Async",
            ["Http2Lab:ShutdownTimeout"] = "00:00:05",
        });

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
            var endpoints = host.Services.GetRequiredService<IBoundEndpoints>();
            Uri h2c = await endpoints.GetUrlAsync("h2c").WaitAsync(Timeout);
            Uri h2 = await endpoints.GetUrlAsync("h2").WaitAsync(Timeout);
            Assert.Equal("127.0.0.1", h2c.Host);
            Assert.NotEqual(0, h2c.Port);
            Assert.Equal("https", h2.Scheme);
            return new TestServer(host, h2c, h2, log);
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
