using Http2Lab.AspNetCore;
using Http2Lab.Interop.Tests.Infrastructure;
using Http2Lab.Samples.AspNetCoreApp;
using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>
/// The sample ASP.NET Core application (<see cref="AspNetCoreSample"/>) on Http2Lab, in process, listening on every
/// dispatcher × {h2c, TLS} of <see cref="ServerMatrix.All"/> on 127.0.0.1 with port 0; no Kestrel.
/// </summary>
public sealed class AspNetCoreServer : IAsyncLifetime
{
    private readonly Dictionary<string, Uri> _urls = new(StringComparer.OrdinalIgnoreCase);

    public WebApplication App { get; private set; } = null!;

    public TestLog Log { get; } = new();

    /// <summary>The sample's static files (copied by the test project) and nothing else.</summary>
    public static string ContentRoot => Path.Combine(AppContext.BaseDirectory, "aspnetcore-content");

    public Uri Url(string endpoint) => _urls[ServerMatrix.Resolve(endpoint)];

    public static async Task<WebApplication> StartAsync(IEnumerable<ServerEndpoint> endpoints, TestLog log,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development, // the development certificate serves the TLS endpoints
            // Its own content root: the test output's appsettings.json is some sample's, with fixed ports.
            ContentRootPath = ContentRoot,
            WebRootPath = "wwwroot",
        });
        var settings = new Dictionary<string, string?> { ["Http2Lab:ShutdownTimeout"] = "00:00:05" };
        foreach (ServerEndpoint endpoint in endpoints)
        {
            string key = $"Http2Lab:Endpoints:{endpoint.Name}";
            settings[$"{key}:Url"] = endpoint.Tls ? "https://127.0.0.1:0" : "http://127.0.0.1:0";
            settings[$"{key}:Dispatcher"] = endpoint.Dispatcher;
            if (endpoint.Dispatcher == ServerMatrix.Poll)
            {
                settings[$"{key}:MaxClients"] = TestServer.PollMaxClients.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(log);
        builder.UseHttp2Lab();
        AspNetCoreSample.AddServices(builder.Services);
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        map?.Invoke(app);
        AspNetCoreSample.Map(app);
        await app.StartAsync().WaitAsync(TestServer.Timeout);
        return app;
    }

    public async Task InitializeAsync()
    {
        App = await StartAsync(ServerMatrix.All, Log);
        var bound = App.Services.GetRequiredService<IBoundEndpoints>();
        foreach (ServerEndpoint endpoint in ServerMatrix.All)
        {
            _urls[endpoint.Name] = await bound.GetUrlAsync(endpoint.Name).WaitAsync(TestServer.Timeout);
        }
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync().WaitAsync(TestServer.Timeout);
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AspNetCoreCollection : ICollectionFixture<AspNetCoreServer>
{
    public const string Name = "ASP.NET Core sample on Http2Lab";
}
