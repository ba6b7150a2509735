using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Interop.Tests.Infrastructure;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// An in-process Http2Lab host for application-layer tests: built like <see cref="TestServer"/> (generic host,
/// configuration, <c>UseHttp2Lab</c>) but with only the routes and DI registrations a test gives it, and only
/// an h2c endpoint on 127.0.0.1, port 0. Each test starts its own, so routes can capture that test's probes.
/// </summary>
public sealed class AppHost : IAsyncDisposable
{
    /// <summary>Bound for start and stop.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private AppHost(IHost host, Uri h2c, Uri? h2, TestLog log)
    {
        Host = host;
        H2c = h2c;
        H2 = h2;
        Log = log;
    }

    /// <summary>The bound TLS endpoint (self-signed certificate), when asked for.</summary>
    public Uri? H2 { get; }

    public IHost Host { get; }

    /// <summary>The bound cleartext endpoint, e.g. http://127.0.0.1:41234.</summary>
    public Uri H2c { get; }

    /// <summary>What the server logged (Information and above).</summary>
    public TestLog Log { get; }

    public static async Task<AppHost> StartAsync(
        Action<Http2Router>? routes = null,
        Action<Http2Limits>? limits = null,
        Action<IServiceCollection>? services = null,
        bool tls = false,
        Action<Http2ApplicationOptions>? application = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Development, // the development certificate serves the TLS endpoint
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2c:Dispatcher"] = "Async",
            ["Http2Lab:ShutdownTimeout"] = "00:00:02",
        });
        if (tls)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Http2Lab:Endpoints:h2:Url"] = "https://127.0.0.1:0",
                ["Http2Lab:Endpoints:h2:Dispatcher"] = "Async",
            });
        }

        var log = new TestLog();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(log);

        builder.UseHttp2Lab(options =>
        {
            limits?.Invoke(options.Limits);
            application?.Invoke(options.Application);
        });
        if (routes is not null)
        {
            builder.Services.AddHttp2Routes(routes);
        }

        services?.Invoke(builder.Services);

        IHost host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(Timeout);
            Uri h2c = await host.Services.GetRequiredService<IBoundEndpoints>().GetUrlAsync("h2c").WaitAsync(Timeout);
            Assert.Equal("127.0.0.1", h2c.Host);
            Assert.NotEqual(0, h2c.Port);
            Uri? h2 = tls ? await host.Services.GetRequiredService<IBoundEndpoints>().GetUrlAsync("h2").WaitAsync(Timeout) : null;
            return new AppHost(host, h2c, h2, log);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Opens a raw HTTP/2 connection (prior knowledge) and waits for the server's SETTINGS.</summary>
    internal Task<RawH2Client> ConnectAsync(
        IReadOnlyList<KeyValuePair<SettingsParameter, uint>>? settings = null,
        int connectionWindowIncrement = 0) =>
        RawH2Client.ConnectAsync(H2c, settings, connectionWindowIncrement);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(Timeout);
            await Host.StopAsync(stop.Token).WaitAsync(Timeout);
        }
        finally
        {
            Host.Dispose();
        }
    }
}
