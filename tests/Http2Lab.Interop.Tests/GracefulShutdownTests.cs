using System.Net;
using System.Net.Sockets;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>Stopping the host lets requests in flight finish and refuses new connections.</summary>
public sealed class GracefulShutdownTests
{
    // Every dispatcher: each has its own stop sequence (listener, drain, GOAWAY, abort), and over TLS the goodbye
    // goes out through a different writer. Each case starts its own server with that one endpoint.
    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_request_in_flight_completes_and_new_connections_are_refused(string endpoint)
    {
        // A handler the test holds until it has seen the listener closed: no race against a delay.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(
            routes: router => router.MapGet("/held", async (request, response) =>
            {
                started.TrySetResult();
                await release.Task.WaitAsync(TestServer.Timeout, request.Aborted);
                response.SetHeader("content-type", "text/plain");
                await response.WriteAsync("released\n");
            }),
            endpoints: [endpoint]);
        Uri url = server.Url(endpoint);
        using var client = new Http2TestClient(url, timeout: TestServer.Timeout);

        Task<HttpResponseMessage> inFlight = client.Client.GetAsync("/held");
        await started.Task.WaitAsync(TestServer.Timeout);
        Task stop = server.StopAsync();

        // The listener goes first: while the request is still being served, nobody new gets in.
        await AssertRefusedWhileInFlightAsync(url, inFlight, stop);

        release.SetResult();
        using HttpResponseMessage response = await AnsweredAsync(inFlight, server);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("released\n", await response.Content.ReadAsStringAsync());

        await stop.WaitAsync(TestServer.Timeout);
        Assert.True(await IsRefusedAsync(url), $"{url} still accepts connections after the host stopped");
        await Assert.ThrowsAsync<HttpRequestException>(() => client.Client.GetAsync("/"));
    }

    /// <summary>The held request's response; a clear failure when the server dropped it instead.</summary>
    private static async Task<HttpResponseMessage> AnsweredAsync(Task<HttpResponseMessage> inFlight, TestServer server)
    {
        try
        {
            return await inFlight.WaitAsync(TestServer.Timeout);
        }
        catch (HttpRequestException ex)
        {
            Assert.Fail($"the request in flight when the stop began was never answered: {ex.Message}\nserver log:\n{server.Log.Tail()}");
            throw;
        }
    }

    /// <summary>Polls until a connection attempt is refused; fails if the request or the stop ends first, or after a generous bound.</summary>
    private static async Task AssertRefusedWhileInFlightAsync(Uri url, Task<HttpResponseMessage> inFlight, Task stop)
    {
        using var deadline = new CancellationTokenSource(TestServer.Timeout);
        while (!await IsRefusedAsync(url))
        {
            Assert.False(inFlight.IsCompleted, $"the held request ended before the listener closed: {inFlight.Status} {inFlight.Exception?.GetBaseException().Message}");
            Assert.False(stop.IsCompleted, "the host stopped while a request was held");
            Assert.False(deadline.IsCancellationRequested, $"{url} still accepted connections {TestServer.Timeout.TotalSeconds} s after StopAsync began");
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
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Queued on the listener as it closed (the kernel resets those): the next attempt tells.
            return false;
        }
    }
}
