using System.Net;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// Handlers that leave the connection's thread (ConfigureAwait(false), Task.Run) and then read or write: on Poll the
/// way back into the gate used to ping-pong between the loop and the thread pool forever, or run session code off the
/// loop. Every dispatcher, so the fix is held to all of them.
/// </summary>
public sealed class OffLoopHandlerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_handler_that_resumes_on_the_thread_pool_still_answers(string endpoint)
    {
        await using TestServer server = await TestServer.StartAsync(
            routes: router => router.MapPost("/off-loop", async (request, response) =>
            {
                await Task.Yield();
                byte[] body = await Task.Run(() => request.ReadBodyAsBytesAsync()).ConfigureAwait(false);
                await Task.Delay(1).ConfigureAwait(false);
                await response.WriteAsync(body).ConfigureAwait(false);
                await Task.Run(async () => await response.WriteAsync("|done")).ConfigureAwait(false);
            }),
            endpoints: [endpoint]);
        using var client = new Http2TestClient(server.Url(endpoint), timeout: Bound);

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var request = Http2TestClient.Request(HttpMethod.Post, "/off-loop");
            request.Content = new StringContent($"request {i}");
            return await client.Client.SendAsync(request);
        })).WaitAsync(Bound);

        for (int i = 0; i < responses.Length; i++)
        {
            Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
            Assert.Equal($"request {i}|done", await responses[i].Content.ReadAsStringAsync());
            responses[i].Dispose();
        }

        Assert.DoesNotContain(server.Log.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }
}
