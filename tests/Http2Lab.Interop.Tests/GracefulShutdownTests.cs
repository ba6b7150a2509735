using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Http2Lab.Http2.Application;
using Http2Lab.Interop.Tests.Infrastructure;
using Http2Lab.Samples.WebHost;

namespace Http2Lab.Interop.Tests;

/// <summary>Stopping the host lets requests in flight finish and refuses new connections.</summary>
public sealed class GracefulShutdownTests
{
    [Theory]
    [InlineData("h2c")]
    [InlineData("h2")]
    public async Task A_request_in_flight_completes_and_new_connections_are_refused(string endpoint)
    {
        // The demo's /slow, wrapped so the test knows the moment the server is running it.
        var demo = new Http2Router();
        DemoRoutes.Map(demo);
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(routes: router => router.MapGet("/slow", (request, response) =>
        {
            slowStarted.TrySetResult();
            return demo.HandleAsync(request, response);
        }));
        Uri url = server.Url(endpoint);
        using var client = new Http2TestClient(url, timeout: TimeSpan.FromSeconds(30));

        Task<HttpResponseMessage> inFlight = client.Client.GetAsync("/slow?ms=1500");
        await slowStarted.Task.WaitAsync(TestServer.Timeout);
        Assert.False(inFlight.IsCompleted);
        Task stop = server.StopAsync();

        // The listener goes first: while the request is still being served, nobody new gets in.
        await AssertRefusedWithinAsync(url, TimeSpan.FromSeconds(1));

        using HttpResponseMessage response = await inFlight.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("waited 1500 ms\n", await response.Content.ReadAsStringAsync());

        await stop.WaitAsync(TestServer.Timeout);
        Assert.True(await IsRefusedAsync(url), $"{url} still accepts connections after the host stopped");
        await Assert.ThrowsAsync<HttpRequestException>(() => client.Client.GetAsync("/"));
    }

    private static async Task AssertRefusedWithinAsync(Uri url, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await IsRefusedAsync(url))
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{url} still accepted connections {timeout.TotalSeconds} s after StopAsync began");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<bool> IsRefusedAsync(Uri url)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Parse(url.Host), url.Port).WaitAsync(TimeSpan.FromSeconds(5));
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }
}
