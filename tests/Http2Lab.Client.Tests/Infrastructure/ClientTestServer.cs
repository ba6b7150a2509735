using System.IO.Compression;
using System.Text;
using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Samples.WebHost;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// An in-process Http2Lab server (generic host, <c>UseHttp2Lab</c>, the sample's routes plus <see cref="MapTestRoutes"/>)
/// listening on 127.0.0.1 port 0 on every dispatcher, over h2c and over TLS with a generated self-signed certificate.
/// Endpoint names: <c>Async-h2c</c>, <c>Poll-h2</c>, …
/// </summary>
public sealed class ClientTestServer : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static readonly string[] Dispatchers = ["Async", "SingleClient", "ThreadPerConnection", "Poll"];

    /// <summary>The text <c>/client/gzip</c> sends gzip-compressed.</summary>
    public static readonly string GzipText = string.Concat(Enumerable.Repeat("gzip decoded by the client, ", 200));

    private readonly Dictionary<string, Uri> _urls;
    private int _disposed;

    private ClientTestServer(IHost host, Dictionary<string, Uri> urls)
    {
        Host = host;
        _urls = urls;
    }

    public IHost Host { get; }

    /// <summary>Every endpoint name, for theories.</summary>
    public static TheoryData<string> Endpoints => [.. AllNames];

    private static IEnumerable<string> AllNames => Dispatchers.SelectMany(d => new[] { $"{d}-h2c", $"{d}-h2" });

    /// <summary>The absolute URL of <paramref name="pathAndQuery"/> on <paramref name="endpoint"/>.</summary>
    public string Url(string endpoint, string pathAndQuery) => new Uri(_urls[endpoint], pathAndQuery).ToString();

    public static async Task<ClientTestServer> StartAsync(IEnumerable<string>? endpoints = null, Action<Http2Limits>? limits = null)
    {
        string[] names = endpoints?.ToArray() ?? [.. AllNames];
        var settings = new Dictionary<string, string?> { ["Http2Lab:ShutdownTimeout"] = "00:00:05" };
        foreach (string name in names)
        {
            string key = $"Http2Lab:Endpoints:{name}";
            settings[$"{key}:Url"] = name.EndsWith("-h2", StringComparison.Ordinal) ? "https://127.0.0.1:0" : "http://127.0.0.1:0";
            settings[$"{key}:Dispatcher"] = name[..name.IndexOf('-')];
            if (name.StartsWith("Poll", StringComparison.Ordinal))
            {
                settings[$"{key}:MaxClients"] = "64";
            }
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Development, // the development certificate serves the TLS endpoints
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.UseHttp2Lab(options => limits?.Invoke(options.Limits));
        builder.Services.AddHttp2Routes(DemoRoutes.Map);
        builder.Services.AddHttp2Routes(MapTestRoutes);
        IHost host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(Timeout);
            var bound = host.Services.GetRequiredService<IBoundEndpoints>();
            var urls = new Dictionary<string, Uri>();
            foreach (string name in names)
            {
                urls[name] = await bound.GetUrlAsync(name).WaitAsync(Timeout);
            }

            return new ClientTestServer(host, urls);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Routes for what the sample does not cover: a gzip-encoded body and a body with trailers.</summary>
    private static void MapTestRoutes(Http2Router router)
    {
        router.MapGet("/client/gzip", async (request, response) =>
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(GzipText));
            }

            response.SetHeader("content-type", "text/plain; charset=utf-8");
            response.SetHeader("content-encoding", "gzip");
            await response.WriteAsync(compressed.ToArray(), request.Aborted);
        });

        router.MapGet("/client/trailers", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            await response.WriteAsync("body before trailers\n");
            response.AppendTrailer("x-checksum", "abc123");
        });

        router.MapGet("/client/latin1", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain; charset=iso-8859-1");
            await response.WriteAsync(Encoding.Latin1.GetBytes("caf\u00e9"), request.Aborted);
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

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

/// <summary>One shared server for the tests of a collection.</summary>
public sealed class ClientTestServerFixture : IAsyncLifetime
{
    public ClientTestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ClientTestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The tests against the in-process server run one at a time (SingleClient serves one connection at a time; 2 cores).</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ClientTestServerFixture>, ICollectionFixture<NghttpdFixture>, ICollectionFixture<H2oFixture>
{
    public const string Name = "client servers";
}
