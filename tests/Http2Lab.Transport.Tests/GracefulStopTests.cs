using System.Diagnostics;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Tests;

/// <summary>Host stop: connections are asked to close, given the shutdown timeout, then aborted.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task An_open_echo_connection_is_asked_to_close_and_the_host_stops_promptly()
    {
        var log = new TestLog();
        var host = Build(log, shutdownTimeout: "00:00:10");
        var url = await TransportTestHost.StartAsync(host, "echo");
        await using var client = await LineClient.ConnectAsync(url);
        await client.SendAsync("before stop\r\n");
        Assert.Equal("before stop", await client.ReadLineAsync());

        var stopwatch = Stopwatch.StartNew();
        await TransportTestHost.StopAndDisposeAsync(host);

        // Well under the 10 s drain budget: the echo protocol closed because it was asked to, not aborted.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Stop took {stopwatch.Elapsed}");
        Assert.Equal("", await client.ReadToEndAsync());
        Assert.Contains("Endpoint 'echo': stopped accepting; asking 1 connection(s) to close", log.Messages);
        Assert.DoesNotContain(log.Messages, m => m.Contains("aborting"));
    }

    [Fact]
    public async Task An_open_tls_echo_connection_closes_cleanly_on_stop()
    {
        var host = TransportTestHost.BuildSingle(
            "tls", "https://127.0.0.1:0", extra: new Dictionary<string, string?> { ["Http2Lab:ShutdownTimeout"] = "00:00:10" });
        var url = await TransportTestHost.StartAsync(host, "tls");
        var (client, _) = await TlsTestClient.ConnectAsync(url, System.Net.Security.SslApplicationProtocol.Http2);
        await using var _ = client;
        await client.SendAsync("before stop\n");
        Assert.Equal("before stop", await client.ReadLineAsync());

        var stopwatch = Stopwatch.StartNew();
        await TransportTestHost.StopAndDisposeAsync(host);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"Stop took {stopwatch.Elapsed}");
        Assert.Equal("", await client.ReadToEndAsync()); // close_notify then EOF: no exception on the client.
    }

    [Fact]
    public async Task A_protocol_sees_the_close_request_and_can_say_goodbye()
    {
        var host = Build(new TestLog(), shutdownTimeout: "00:00:10");
        var url = await TransportTestHost.StartAsync(host, "goaway");
        await using var client = await LineClient.ConnectAsync(url);
        Assert.Equal("hello", await client.ReadLineAsync());

        await TransportTestHost.StopAndDisposeAsync(host);

        // Like HTTP/2's GOAWAY: the protocol got to write a last message before the connection closed.
        Assert.Equal("GOAWAY", await client.ReadLineAsync());
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task A_connection_that_ignores_the_close_request_is_aborted_after_the_shutdown_timeout()
    {
        var log = new TestLog();
        var host = Build(log, shutdownTimeout: "00:00:01");
        var url = await TransportTestHost.StartAsync(host, "stubborn");
        await using var client = await LineClient.ConnectAsync(url);
        Assert.Equal("hello", await client.ReadLineAsync());

        var stopwatch = Stopwatch.StartNew();
        await TransportTestHost.StopAndDisposeAsync(host);

        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(8));
        Assert.True(await client.IsClosedByServerAsync());
        Assert.Contains("Endpoint 'stubborn': 1 connection(s) did not close within the shutdown timeout; aborting them", log.Messages);
    }

    [Fact]
    public async Task The_dispatcher_lists_its_live_connections()
    {
        var host = Build(new TestLog(), shutdownTimeout: "00:00:05");
        try
        {
            var url = await TransportTestHost.StartAsync(host, "echo");
            Assert.True(host.Services.GetRequiredService<IBoundEndpoints>().TryGetDispatcher("echo", out var dispatcher));
            var clients = new List<LineClient>();
            for (var i = 0; i < 3; i++)
            {
                var client = await LineClient.ConnectAsync(url);
                await client.SendAsync("x\n");
                Assert.Equal("x", await client.ReadLineAsync()); // Echoed, so certainly accepted.
                clients.Add(client);
            }

            var live = dispatcher.GetConnections();
            Assert.Equal(
                clients.Select(c => c.Socket.LocalEndPoint!.ToString()).Order(),
                live.Select(c => c.RemoteEndPoint!.ToString()).Order());
            Assert.All(live, c => Assert.False(c.CloseRequested));

            foreach (var client in clients)
            {
                await client.SendAsync("quit\n");
                Assert.Equal("", await client.ReadToEndAsync());
                await client.DisposeAsync();
            }

            await WaitUntilAsync(() => dispatcher.GetConnections().Count == 0);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    private static IHost Build(TestLog log, string shutdownTimeout) => TransportTestHost.Build(
        new Dictionary<string, string?>
        {
            ["Http2Lab:ShutdownTimeout"] = shutdownTimeout,
            ["Http2Lab:Endpoints:echo:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:echo:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:goaway:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:goaway:Protocol"] = "Goaway",
            ["Http2Lab:Endpoints:stubborn:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:stubborn:Protocol"] = "Stubborn",
        },
        log,
        services =>
        {
            // Greets, waits for the server's close request, says GOAWAY and ends.
            services.AddHttp2LabProtocol("Goaway", (_, _) => _ => new ScriptedProcessor("hello\r\n", "GOAWAY\r\n"));
            // Greets, then ignores the close request (and the shutdown timeout's last word) until the socket closes.
            services.AddHttp2LabProtocol("Stubborn", (_, _) => _ => new ScriptedProcessor("hello\r\n", null, stubborn: true));
        });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TransportTestHost.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met in time.");
            await Task.Delay(20);
        }
    }
}
