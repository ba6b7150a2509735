using System.Net;
using System.Text;
using Http2Lab.Http2.Application;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// A connection reuses a finished stream's request, response, header list and body pipe for its next streams. Whatever
/// one request did — set a status, headers or trailers, leave its body half read, fail, ask for the abort token, write
/// after yielding, answer a HEAD — the next request on the same connection sees none of it. Every dispatcher.
/// </summary>
public sealed class StreamReuseTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Each_request_on_a_connection_sees_nothing_of_the_ones_before(string endpoint)
    {
        await using TestServer server = await TestServer.StartAsync(routes: Map, endpoints: [endpoint]);
        using var client = new Http2TestClient(server.Url(endpoint), timeout: Bound);

        // One at a time first (each stream's objects are the previous one's), then many at once in a shuffled order.
        string[] kinds = ["decorated", "plain", "partial-body", "plain", "full-body", "yielded", "failing", "plain", "token", "head", "plain", "decorated"];
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < kinds.Length; i++)
            {
                await CheckAsync(client, kinds[i], round * 100 + i);
            }
        }

        var random = new Random(7);
        await Task.WhenAll(Enumerable.Range(0, 240).Select(i => CheckAsync(client, kinds[random.Next(kinds.Length)], 1000 + i))).WaitAsync(Bound);

        Assert.Equal(1, client.Connections);
    }

    private static void Map(Http2Router router)
    {
        router.MapGet("/decorated", async (request, response) =>
        {
            response.StatusCode = 201;
            response.SetHeader("x-decorated", request.GetQueryValue("n") ?? "");
            response.AppendTrailer("x-trailer", "set");
            await response.WriteAsync("decorated " + request.GetQueryValue("n"));
        });
        router.MapGet("/plain", async (request, response) => await response.WriteAsync("plain " + request.GetQueryValue("n")));
        router.MapPost("/partial-body", async (request, response) =>
        {
            // Reads five octets of a larger body and answers: the rest is never read (§8.1).
            byte[] head = new byte[5];
            await request.Body.ReadExactlyAsync(head);
            await response.WriteAsync("partial " + Encoding.ASCII.GetString(head));
        });
        router.MapPost("/full-body", async (request, response) => await response.WriteAsync("full " + await request.ReadBodyAsTextAsync()));
        router.MapGet("/yielded", async (request, response) =>
        {
            await Task.Yield();
            await response.WriteAsync("yielded " + request.GetQueryValue("n")); // held back, sent from the thread pool
            await Task.Delay(1);
        });
        router.MapGet("/failing", async (request, response) =>
        {
            response.SetHeader("x-failing", "yes");
            await response.WriteAsync("never sent");
            throw new InvalidOperationException("a handler that fails after a small write");
        });
        router.MapGet("/token", async (request, response) =>
        {
            CancellationToken aborted = request.Aborted;
            await response.WriteAsync("token " + aborted.IsCancellationRequested);
        });
        router.MapGet("/head", async (request, response) => await response.WriteAsync("head body " + request.GetQueryValue("n")));
    }

    private static async Task CheckAsync(Http2TestClient client, string kind, int n)
    {
        HttpMethod method = kind switch
        {
            "partial-body" or "full-body" => HttpMethod.Post,
            "head" => HttpMethod.Head,
            _ => HttpMethod.Get,
        };
        using HttpRequestMessage request = Http2TestClient.Request(method, $"/{kind}?n={n}");
        if (kind == "partial-body")
        {
            request.Content = new ByteArrayContent(Encoding.ASCII.GetBytes($"{n % 10}{n % 10}{n % 10}{n % 10}{n % 10}" + new string('x', 100_000)));
        }
        else if (kind == "full-body")
        {
            request.Content = new StringContent($"body {n}");
        }

        using HttpResponseMessage response = await client.Client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        string expectedBody = kind switch
        {
            "decorated" => $"decorated {n}",
            "plain" => $"plain {n}",
            "partial-body" => $"partial {new string((char)('0' + n % 10), 5)}",
            "full-body" => $"full body {n}",
            "yielded" => $"yielded {n}",
            "failing" => "",
            "token" => "token False",
            "head" => "",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        HttpStatusCode expectedStatus = kind switch
        {
            "decorated" => HttpStatusCode.Created,
            "failing" => HttpStatusCode.InternalServerError,
            _ => HttpStatusCode.OK,
        };

        Assert.True(expectedStatus == response.StatusCode, $"{kind} {n}: status {response.StatusCode}");
        Assert.True(expectedBody == body, $"{kind} {n}: body '{body}'");
        Assert.Equal(kind == "decorated" ? [n.ToString(System.Globalization.CultureInfo.InvariantCulture)] : null,
            response.Headers.TryGetValues("x-decorated", out IEnumerable<string>? decorated) ? decorated.ToArray() : null);
        Assert.False(response.Headers.Contains("x-failing"), $"{kind} {n}: a failed handler's header leaked");
        Assert.Equal(kind == "decorated", response.TrailingHeaders.Contains("x-trailer"));
    }
}
