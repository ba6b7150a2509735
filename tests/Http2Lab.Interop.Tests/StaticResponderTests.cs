using System.Net;
using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// The static responder (<c>"Protocol": "Http2Static"</c>) on every dispatcher, h2c and TLS: whatever the request,
/// <c>200 text/plain "Hello World\n"</c> from frames built at start-up — and still correct HTTP/2 for HttpClient,
/// curl, nghttp and h2load (HEAD without a body, request bodies discarded, flow control respected).
/// </summary>
public sealed partial class StaticResponderTests(StaticResponderTests.Server server) : IClassFixture<StaticResponderTests.Server>
{
    private const string Body = "Hello World\n";

    /// <summary>One test server whose endpoints all run the static responder.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public TestServer Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await TestServer.StartAsync(protocol: "Http2Static");

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task HttpClient_gets_the_response_for_any_method_and_path_and_head_gets_no_body(string endpoint)
    {
        using var client = new Http2TestClient(server.Host.Url(endpoint));

        using HttpResponseMessage get = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Get, "/any/path?q=1"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpVersion.Version20, get.Version);
        Assert.Equal("text/plain", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Body.Length, get.Content.Headers.ContentLength);
        Assert.Equal(Body, await get.Content.ReadAsStringAsync());

        using HttpResponseMessage head = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Body.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        // A body larger than the stream window is answered at once; the rest is discarded and the connection goes on.
        using var post = Http2TestClient.Request(HttpMethod.Post, "/upload");
        post.Content = new ByteArrayContent(new byte[256 * 1024]);
        using HttpResponseMessage posted = await client.Client.SendAsync(post);
        Assert.Equal(Body, await posted.Content.ReadAsStringAsync());
        using HttpResponseMessage after = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Get, "/"));
        Assert.Equal(Body, await after.Content.ReadAsStringAsync());
        Assert.Equal(1, client.Connections);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Curl_and_nghttp_get_the_body(string endpoint)
    {
        bool tls = ServerEndpoint.Parse(endpoint).Tls;
        string url = server.Host.Url(endpoint, "/whatever");
        string[] mode = tls ? ["-k", "--http2"] : ["--http2-prior-knowledge"];
        ToolResult curl = await ExternalTool.RunAsync(ExternalTool.Curl(), [.. mode, "-sS", "--max-time", "25", url], TimeSpan.FromSeconds(30));
        Assert.True(curl.ExitCode == 0, curl.Describe());
        Assert.Equal(Body, curl.StdOut);

        // Three streams on one connection (nghttp fetches a URL given twice only once).
        string[] urls = [.. new[] { "/a", "/b", "/c" }.Select(path => server.Host.Url(endpoint, path))];
        ToolResult nghttp = await ExternalTool.RunAsync(ExternalTool.Nghttp(), ["--timeout=20", .. urls], TimeSpan.FromSeconds(30));
        Assert.True(nghttp.ExitCode == 0, nghttp.Describe());
        Assert.Equal(string.Concat(Enumerable.Repeat(Body, 3)), nghttp.StdOut);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task H2load_gets_twenty_thousand_responses_through_a_window_smaller_than_the_body(string endpoint)
    {
        // -w 3: a 7-octet stream window, below the 12-octet body, so every response waits for a WINDOW_UPDATE.
        ToolResult result = await ExternalTool.RunAsync(
            ExternalTool.H2load(), ["-N", "20", "-n", "20000", "-c", "10", "-m", "10", "-w", "3", server.Host.Url(endpoint, "/")], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored, 0 timeout", result.StdOut);
        Assert.Contains("status codes: 20000 2xx, 0 3xx, 0 4xx, 0 5xx", result.StdOut);
        Match traffic = DataTraffic().Match(result.StdOut);
        Assert.True(traffic.Success, result.Describe());
        Assert.Equal(20000L * Body.Length, long.Parse(traffic.Groups["data"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"traffic: .*, .*\((?<data>\d+)\) data")]
    private static partial Regex DataTraffic();
}
