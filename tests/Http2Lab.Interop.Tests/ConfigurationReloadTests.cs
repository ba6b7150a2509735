using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Http2Lab.Http2;
using Http2Lab.Interop.Tests.Infrastructure;
using Http2Lab.Samples.WebHost;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// Configuration reload under a running server, as an operator does it: the host reads a JSON file with
/// <c>reloadOnChange</c>, the test rewrites the file, and over real sockets a new endpoint starts answering, a removed
/// one stops accepting while its request in flight completes, and changed limits reach new connections
/// (MAX_CONCURRENT_STREAMS in a new connection's SETTINGS; MaxConnections). A reload with a mistake changes nothing.
/// </summary>
public sealed class ConfigurationReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("h2l-reload-").FullName;
    private readonly TestLog _log = new();
    private IHost _host = null!;
    private string SettingsPath => Path.Combine(_directory, "appsettings.json");

    public async Task InitializeAsync()
    {
        WriteSettings(new JsonObject
        {
            ["keep"] = new JsonObject { ["Url"] = "http://127.0.0.1:0" },
            ["leaving"] = new JsonObject { ["Url"] = "http://127.0.0.1:0" },
        }, maxConcurrentStreams: 100);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = Environments.Development });
        builder.Configuration.AddJsonFile(SettingsPath, optional: false, reloadOnChange: true);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(_log);
        builder.UseHttp2Lab();
        builder.Services.AddHttp2Routes(DemoRoutes.Map);
        _host = builder.Build();
        await _host.StartAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Endpoints_are_bound_and_drained_and_new_limits_reach_new_connections()
    {
        var bound = _host.Services.GetRequiredService<IBoundEndpoints>();
        Uri keep = await bound.GetUrlAsync("keep").WaitAsync(Timeout);
        Uri leaving = await bound.GetUrlAsync("leaving").WaitAsync(Timeout);
        Assert.Equal(100, await MaxConcurrentStreamsAsync(keep));

        using var client = H2cClient();
        Task<HttpResponseMessage> inFlight = client.SendAsync(Get(leaving, "/slow?ms=1500"));
        Assert.True(bound.TryGetDispatcher("leaving", out var leavingDispatcher));
        await WaitForAsync(() => leavingDispatcher.GetConnections().Count > 0 ? "" : null, "the slow request's connection");

        WriteSettings(new JsonObject
        {
            ["keep"] = new JsonObject { ["Url"] = "http://127.0.0.1:0" },
            ["arriving"] = new JsonObject { ["Url"] = "http://127.0.0.1:0" },
        }, maxConcurrentStreams: 7, maxConnections: 1);

        Uri arriving = await WaitForAsync(() => bound.Urls.TryGetValue("arriving", out Uri? url) ? url : null, "the new endpoint to be bound");

        // The request that was in flight on the removed endpoint finished normally.
        using HttpResponseMessage drained = await inFlight.WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, drained.StatusCode);

        // The removed endpoint no longer accepts; the unchanged one kept its port; the new one answers.
        Assert.False(bound.Urls.ContainsKey("leaving"));
        await Assert.ThrowsAnyAsync<SocketException>(() => ConnectAsync(leaving));
        Assert.Equal(keep, bound.Urls["keep"]);
        using (HttpClient helloClient = H2cClient())
        using (HttpResponseMessage hello = await helloClient.SendAsync(Get(arriving, "/")).WaitAsync(Timeout))
        {
            Assert.Equal("Hello World\n", await hello.Content.ReadAsStringAsync());
        }

        // That connection counts against MaxConnections until the server has seen it close.
        Assert.True(bound.TryGetDispatcher("arriving", out var dispatcher));
        await WaitForAsync(() => dispatcher.GetConnections().Count == 0 ? "" : null, "the first client's connection to close");

        // New connections see the new limits: MAX_CONCURRENT_STREAMS 7, and one connection at a time per endpoint.
        using Socket first = await ConnectAsync(arriving);
        Assert.Equal(7, await MaxConcurrentStreamsAsync(first));
        using Socket second = await ConnectAsync(arriving);
        Assert.True(await IsClosedByServerAsync(second), "a second connection was served beyond MaxConnections 1");
    }

    [Fact]
    public async Task A_reload_with_a_bad_value_is_logged_with_its_key_and_changes_nothing()
    {
        var bound = _host.Services.GetRequiredService<IBoundEndpoints>();
        Uri keep = await bound.GetUrlAsync("keep").WaitAsync(Timeout);
        JsonObject endpoints = new()
        {
            ["keep"] = new JsonObject { ["Url"] = "http://127.0.0.1:0" },
            ["leaving"] = new JsonObject { ["Url"] = "http://127.0.0.1:0" },
            ["arriving"] = new JsonObject { ["Url"] = "htp://127.0.0.1:0" },
        };

        WriteSettings(endpoints, maxConcurrentStreams: "abc");

        await WaitForAsync(() => _log.Lines.FirstOrDefault(l => l.Contains("Http2Lab:Limits:MaxConcurrentStreams: 'abc'", StringComparison.Ordinal)), "the bad value to be logged");
        await WaitForAsync(() => _log.Lines.FirstOrDefault(l => l.Contains("Http2Lab:Endpoints:arriving:Url: 'htp://127.0.0.1:0'", StringComparison.Ordinal)), "the bad URL to be logged");
        Assert.Equal(100, await MaxConcurrentStreamsAsync(keep));
        Assert.True(bound.Urls.ContainsKey("leaving"));
        Assert.False(bound.Urls.ContainsKey("arriving"));
    }

    public async Task DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(Timeout))
        {
            await _host.StopAsync(stop.Token);
        }

        _host.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void WriteSettings(JsonObject endpoints, object maxConcurrentStreams, int? maxConnections = null)
    {
        var limits = new JsonObject { ["MaxConcurrentStreams"] = JsonValue.Create(maxConcurrentStreams) };
        if (maxConnections is { } max)
        {
            limits["MaxConnections"] = max;
        }

        var settings = new JsonObject { ["Http2Lab"] = new JsonObject { ["Endpoints"] = endpoints, ["ShutdownTimeout"] = "00:00:05", ["Limits"] = limits } };

        // Written beside and moved into place, so the watcher never reads half a file.
        string temporary = SettingsPath + ".tmp";
        File.WriteAllText(temporary, settings.ToJsonString());
        File.Move(temporary, SettingsPath, overwrite: true);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string what)
        where T : class
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    private static HttpClient H2cClient() => new() { Timeout = Timeout };

    private static HttpRequestMessage Get(Uri endpoint, string pathAndQuery) => new(HttpMethod.Get, new Uri(endpoint, pathAndQuery))
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private static async Task<Socket> ConnectAsync(Uri endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(IPAddress.Loopback, endpoint.Port, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<int> MaxConcurrentStreamsAsync(Uri endpoint)
    {
        using Socket socket = await ConnectAsync(endpoint);
        return await MaxConcurrentStreamsAsync(socket);
    }

    /// <summary>Sends the client preface and reads frames up to the server's first SETTINGS; returns its MAX_CONCURRENT_STREAMS.</summary>
    private static async Task<int> MaxConcurrentStreamsAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await socket.SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray().Concat(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }).ToArray(), timeout.Token);
        var header = new byte[9];
        while (true)
        {
            await ReceiveExactlyAsync(socket, header, timeout.Token);
            int length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await ReceiveExactlyAsync(socket, payload, timeout.Token);
            if (header[3] != 0x4 || (header[4] & 0x1) != 0)
            {
                continue; // not the server's SETTINGS
            }

            for (int i = 0; i + 6 <= payload.Length; i += 6)
            {
                if (BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i)) == 0x3)
                {
                    return (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2));
                }
            }

            return -1; // not advertised
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        for (int read = 0; read < buffer.Length;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                throw new IOException("the server closed the connection");
            }

            read += n;
        }
    }

    /// <summary>True when the server closes the connection (EOF or reset) before it sends anything useful.</summary>
    private static async Task<bool> IsClosedByServerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await socket.SendAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[1024];
            return await socket.ReceiveAsync(buffer, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
