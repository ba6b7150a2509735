using System.Net;
using System.Text;
using Http2Lab.Interop.Tests.Application;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// On every dispatcher, h2c and TLS, with HttpClient: a small write followed by a wait reaches the client while the
/// handler waits (handlers run on the thread pool, inline on the connection's thread or on the poll loop, and the
/// held-back write is sent from each), and the handler sees the connection's TLS details.
/// </summary>
public sealed class HeldWriteDispatcherTests
{
    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task The_first_small_write_arrives_before_the_handler_writes_again(string endpoint)
    {
        TaskCompletionSource proceed = Bounded.Source();
        await using TestServer server = await TestServer.StartAsync(endpoints: [endpoint], routes: router => router.MapGet("/held", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            await response.WriteAsync($"tls={request.Connection.IsTls} alpn={request.Connection.ApplicationProtocol ?? "-"}\n");
            await proceed.Task.WaitAsync(request.Aborted);
            await response.WriteAsync("second\n");
        }));
        using var client = new Http2TestClient(server.Url(endpoint), timeout: TimeSpan.FromSeconds(30));

        using HttpResponseMessage response = await client.Client.SendAsync(
            Http2TestClient.Request(HttpMethod.Get, "/held"), HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? first = await Bounded.Within(reader.ReadLineAsync(), "the first write, while the handler waits");
        proceed.SetResult();
        string rest = await Bounded.Within(reader.ReadToEndAsync(), "the rest");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        bool tls = server.Url(endpoint).Scheme == "https";
        Assert.Equal(tls ? "tls=True alpn=h2" : "tls=False alpn=-", first);
        Assert.Equal("second\n", rest);
    }
}
