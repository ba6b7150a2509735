using System.Diagnostics;
using System.Net;
using System.Net.Security;
using Http2Lab.Http2;
using Http2Lab.Http2.Frames;
using Http2Lab.Transport.Dispatchers;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// An in-process Http2Lab server for defence tests, built like the sample (generic host, configuration,
/// <c>UseHttp2Lab</c>) with one endpoint, <see cref="EndpointName"/>, on 127.0.0.1 port 0 — h2c or TLS (development
/// certificate) — run by the dispatcher under test, serving <see cref="DefenceRoutes"/>. Limits are given as
/// configuration keys under <c>Http2Lab:Limits:</c> (TimeSpans as <c>00:00:01</c>), as an operator would set them.
/// Each test starts its own host, so a defence that fires cannot disturb another test.
/// </summary>
public sealed class DefenceHost : IAsyncDisposable
{
    /// <summary>The endpoint's configuration name.</summary>
    public const string EndpointName = "defended";

    /// <summary>Bound for start and stop.</summary>
    public static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(20);

    private readonly Dispatcher _dispatcher;

    private DefenceHost(IHost host, Uri url, Dispatcher dispatcher, DefenceLog log)
    {
        Host = host;
        Url = url;
        _dispatcher = dispatcher;
        Log = log;
    }

    public IHost Host { get; }

    /// <summary>The bound endpoint, e.g. http://127.0.0.1:41234 or https://127.0.0.1:41235.</summary>
    public Uri Url { get; }

    /// <summary>The server's log (Debug and above).</summary>
    public DefenceLog Log { get; }

    /// <summary>Connections the dispatcher is running right now (for SingleClient: the one being served).</summary>
    public int LiveConnections => _dispatcher.GetConnections().Count;

    /// <summary>
    /// Starts a host whose endpoint uses <paramref name="dispatcher"/> over h2c or TLS. <paramref name="limits"/> are
    /// keys under <c>Http2Lab:Limits:</c>; <paramref name="settings"/> other keys under <c>Http2Lab:</c> (e.g.
    /// <c>HandshakeTimeout</c>). The Poll dispatcher's MaxClients is raised to 64 so that it is not what limits a test.
    /// </summary>
    public static async Task<DefenceHost> StartAsync(
        string dispatcher,
        bool tls,
        IReadOnlyDictionary<string, string?>? limits = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        string endpoint = $"Http2Lab:Endpoints:{EndpointName}";
        var configuration = new Dictionary<string, string?>
        {
            [$"{endpoint}:Url"] = tls ? "https://127.0.0.1:0" : "http://127.0.0.1:0",
            [$"{endpoint}:Dispatcher"] = dispatcher,
            [$"{endpoint}:MaxClients"] = "64",
            ["Http2Lab:ShutdownTimeout"] = "00:00:02",
        };
        foreach ((string key, string? value) in limits ?? new Dictionary<string, string?>())
        {
            configuration[$"Http2Lab:Limits:{key}"] = value;
        }

        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[$"Http2Lab:{key}"] = value;
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(configuration);
        var log = new DefenceLog();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(log);
        builder.UseHttp2Lab();
        builder.Services.AddHttp2Routes(DefenceRoutes.Map);

        IHost host = builder.Build();
        try
        {
            await host.StartAsync().WaitAsync(StartStopTimeout);
            var endpoints = host.Services.GetRequiredService<IBoundEndpoints>();
            Uri url = await endpoints.GetUrlAsync(EndpointName).WaitAsync(StartStopTimeout);
            Assert.True(endpoints.TryGetDispatcher(EndpointName, out Dispatcher? running), "the endpoint has no dispatcher");
            Assert.Equal(dispatcher, running.Endpoint.Dispatcher);
            return new DefenceHost(host, url, running, log);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A raw client, connected (and TLS-authenticated for https), that has sent nothing of HTTP/2.</summary>
    internal Task<WireClient> ConnectAsync(int? receiveBufferSize = null) => WireClient.ConnectAsync(Url, receiveBufferSize);

    /// <summary>A raw client past the HTTP/2 handshake (preface, SETTINGS both ways, ACK).</summary>
    internal async Task<WireClient> ConnectAndHandshakeAsync()
    {
        WireClient client = await ConnectAsync();
        try
        {
            await client.HandshakeAsync();
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads until the server closes <paramref name="client"/>'s connection and asserts that it ended with GOAWAY
    /// <paramref name="expected"/> — whose debug data names <paramref name="reason"/>, when given, so that the test
    /// knows which defence fired — within <paramref name="bound"/> of <paramref name="since"/>.
    /// </summary>
    internal async Task<ConnectionEnd> AssertGoAwayAndCloseAsync(WireClient client, Http2ErrorCode expected, string? reason, Stopwatch since, TimeSpan bound)
    {
        ConnectionEnd end = await ReadUntilClosedAsync(client, since, bound);
        Assert.True(end.GoAway is not null, $"No GOAWAY before the connection closed: {end}\n{Log.Tail()}");
        Assert.True(end.GoAway.ErrorCode == expected, $"GOAWAY {end.GoAway.ErrorCode}, expected {expected}: {end}\n{Log.Tail()}");
        if (reason is not null)
        {
            Assert.True(end.GoAway.DebugData.Contains(reason, StringComparison.Ordinal), $"GOAWAY does not name '{reason}': {end}\n{Log.Tail()}");
        }

        return end;
    }

    /// <summary>Reads until the server closes <paramref name="client"/>'s connection, asserting it does so within <paramref name="bound"/> of <paramref name="since"/>.</summary>
    internal async Task<ConnectionEnd> ReadUntilClosedAsync(WireClient client, Stopwatch since, TimeSpan bound)
    {
        TimeSpan left = bound - since.Elapsed;
        ConnectionEnd end;
        try
        {
            end = await client.ReadUntilClosedAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"The server did not close the connection within {bound.TotalSeconds:0.#} s. {ex.Message}\n{Log.Tail()}");
        }

        Assert.True(since.Elapsed < bound, $"Closed after {since.Elapsed.TotalSeconds:0.0} s, bound {bound.TotalSeconds:0.#} s: {end}");
        return end;
    }

    /// <summary>Waits until the dispatcher runs at most <paramref name="atMost"/> connections; fails after <paramref name="bound"/>.</summary>
    public async Task WaitForLiveConnectionsAsync(int atMost, TimeSpan bound)
    {
        var waited = Stopwatch.StartNew();
        while (LiveConnections > atMost)
        {
            if (waited.Elapsed > bound)
            {
                Assert.Fail($"The server still runs {LiveConnections} connection(s) after {bound.TotalSeconds:0.#} s (expected at most {atMost}).\n{Log.Tail()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// A well-behaved client (.NET's HttpClient, HTTP/2 only) on a new connection gets <c>200</c> and the body of
    /// <c>GET /</c> within <see cref="Bounds.Prompt"/>. Returns how long it took.
    /// </summary>
    public async Task<TimeSpan> AssertServesNewClientAsync()
    {
        var elapsed = Stopwatch.StartNew();
        using var handler = new SocketsHttpHandler
        {
            ConnectTimeout = Bounds.Prompt,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Url, "/"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var prompt = new CancellationTokenSource(Bounds.Prompt);
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, prompt.Token);
            string body = await response.Content.ReadAsStringAsync(prompt.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(DefenceRoutes.Hello, body);
            Assert.Equal(HttpVersion.Version20, response.Version);
        }
        catch (OperationCanceledException) when (prompt.IsCancellationRequested)
        {
            Assert.Fail($"A new client was not served within {Bounds.Prompt.TotalSeconds:0.#} s (live connections: {LiveConnections}).\n{Log.Tail()}");
        }

        return elapsed.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(StartStopTimeout);
            await Host.StopAsync(stop.Token).WaitAsync(StartStopTimeout);
        }
        finally
        {
            Host.Dispose();
        }
    }
}
