using Http2Lab.Transport.Dispatchers;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>One-endpoint hosts (endpoint <see cref="Endpoint"/>) for a chosen dispatcher, plus the theory data over dispatchers.</summary>
public static class DispatcherTestHost
{
    /// <summary>The name of the one endpoint every host here configures.</summary>
    public const string Endpoint = "ep";

    public const string Async = DispatcherRegistry.Async;
    public const string SingleClient = DispatcherRegistry.SingleClient;
    public const string ThreadPerConnection = DispatcherRegistry.ThreadPerConnection;
    public const string Poll = DispatcherRegistry.Poll;

    /// <summary>Every dispatcher, over plain TCP and — where the dispatcher has it (all but Poll) — over TLS.</summary>
    public static TheoryData<string, bool> AllWithTls => new()
    {
        { Async, false }, { Async, true },
        { SingleClient, false }, { SingleClient, true },
        { ThreadPerConnection, false }, { ThreadPerConnection, true },
        { Poll, false }, { Poll, true },
    };

    /// <summary>The dispatchers that serve several clients at once, plain and TLS (not SingleClient).</summary>
    public static TheoryData<string, bool> ConcurrentWithTls => new()
    {
        { Async, false }, { Async, true },
        { ThreadPerConnection, false }, { ThreadPerConnection, true },
        { Poll, false }, { Poll, true },
    };

    /// <summary>Builds a host whose endpoint runs <paramref name="protocol"/> on <paramref name="dispatcher"/>.</summary>
    /// <param name="extra">More settings; keys relative to the endpoint (e.g. <c>EchoMode</c>) or absolute (starting with <c>Http2Lab:</c>); a null value removes the key.</param>
    public static IHost Build(
        string dispatcher,
        bool tls = false,
        string protocol = "Echo",
        TestLog? log = null,
        Action<IServiceCollection>? services = null,
        IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Http2Lab:Endpoints:{Endpoint}:Dispatcher"] = dispatcher,
            // A generous drain budget: a stop that needs it is a bug these tests should see as slowness, not hide.
            ["Http2Lab:ShutdownTimeout"] = "00:00:05",
        };
        if (dispatcher == Poll)
        {
            // Concurrency tests open more clients than the Poll dispatcher's default MaxClients (10).
            settings[$"Http2Lab:Endpoints:{Endpoint}:MaxClients"] = "64";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            var fullKey = key.StartsWith("Http2Lab:", StringComparison.Ordinal) ? key : $"Http2Lab:Endpoints:{Endpoint}:{key}";
            if (value is null)
            {
                settings.Remove(fullKey); // null: the built-in default
            }
            else
            {
                settings[fullKey] = value;
            }
        }

        return TransportTestHost.BuildSingle(
            Endpoint, tls ? "https://127.0.0.1:0" : "http://127.0.0.1:0", protocol, log, services, settings);
    }

    /// <summary>Starts the host and returns the endpoint's bound URL.</summary>
    public static Task<Uri> StartAsync(IHost host) => TransportTestHost.StartAsync(host, Endpoint);

    /// <summary>The dispatcher serving the endpoint.</summary>
    public static Dispatcher GetDispatcher(IHost host)
    {
        Assert.True(host.Services.GetRequiredService<IBoundEndpoints>().TryGetDispatcher(Endpoint, out var dispatcher));
        return dispatcher;
    }

    /// <summary>A line client over plain TCP or TLS (the echo protocol needs no ALPN).</summary>
    public static async Task<LineClient> ConnectLinesAsync(Uri url, bool tls) =>
        tls ? (await TlsTestClient.ConnectAsync(url)).Client : await LineClient.ConnectAsync(url);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="TransportTestHost.Timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TransportTestHost.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {TransportTestHost.Timeout.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }
}
