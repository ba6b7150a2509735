using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// .NET's own HTTP/2 client (SocketsHttpHandler) against every endpoint of <see cref="ServerMatrix"/>: each
/// dispatcher, over h2c and TLS. Even the small cases run everywhere: handlers start on the thread pool (Async),
/// inline on the connection's thread (SingleClient, ThreadPerConnection) or on the poll loop (Poll), so a handler that
/// throws, writes trailers or answers HEAD takes a different path on each, and a case costs milliseconds.
/// </summary>
[Collection(SharedServersCollection.Name)]
public sealed class HttpClientInteropTests(DefaultServerFixture defaults, SmallWindowServerFixture smallWindows)
{
    private const long HundredMegabytes = 100L * 1024 * 1024;
    private const int TenMegabytes = 10 * 1024 * 1024;

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Get_root_answers_hello_world_over_http2(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        using HttpResponseMessage response = await client.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Hello World\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Two_hundred_parallel_requests_share_one_connection_and_all_succeed(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        async Task<string?> OneAsync(int i)
        {
            if (i % 2 == 0)
            {
                using var request = Http2TestClient.Request(HttpMethod.Get, $"/headers?i={i}");
                request.Headers.Add("x-request-id", $"req-{i}");
                using HttpResponseMessage response = await client.Client.SendAsync(request);
                string text = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.OK && response.Version == HttpVersion.Version20
                       && text.Contains($":path: /headers?i={i}\n", StringComparison.Ordinal)
                       && text.Contains($"x-request-id: req-{i}\n", StringComparison.Ordinal)
                    ? null
                    : $"request {i}: {(int)response.StatusCode} HTTP/{response.Version}: {text}";
            }
            else
            {
                using HttpResponseMessage response = await client.Client.GetAsync("/bytes/1000");
                byte[] body = await response.Content.ReadAsByteArrayAsync();
                return response.StatusCode == HttpStatusCode.OK && body.Length == 1000 && BytesPattern.Matches(0, body)
                    ? null
                    : $"request {i}: {(int)response.StatusCode}, {body.Length} octets, pattern {(BytesPattern.Matches(0, body) ? "ok" : "wrong")}";
            }
        }

        string?[] problems = await Task.WhenAll(Enumerable.Range(0, 200).Select(OneAsync)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("", string.Join("\n", problems.Where(p => p is not null)));
        Assert.Equal(1, client.Connections);
    }

    // The Async dispatcher only (h2c and TLS). With the default windows this test is volume: 100 MB through the
    // protocol core and the TLS layer, which every dispatcher shares. What depends on the dispatcher (writes that
    // block or would block while WINDOW_UPDATEs arrive) is exercised on every endpoint by the 64 KiB-window download
    // below, which needs the client's credit 1600 times over; repeating this one would add ~3 s and no new path.
    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_100_MB_download_arrives_complete_and_correct(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint), timeout: TimeSpan.FromSeconds(90));

        await DownloadAndVerifyAsync(client.Client, HundredMegabytes);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_100_MB_download_arrives_complete_with_64_KiB_windows(string endpoint)
    {
        // Both sides at the RFC default windows: the server must keep sending as WINDOW_UPDATEs arrive. Every
        // dispatcher: this is where its writer (blocking, would-block with poll, pipes) and its reader meet.
        using var client = new Http2TestClient(
            smallWindows.Server.Url(endpoint),
            handler => handler.InitialHttp2StreamWindowSize = SmallWindowServerFixture.Window,
            timeout: TimeSpan.FromSeconds(90));

        await DownloadAndVerifyAsync(client.Client, HundredMegabytes);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_10_MB_upload_is_echoed_unchanged_through_64_KiB_windows(string endpoint)
    {
        byte[] payload = new byte[TenMegabytes];
        new Random(20240601).NextBytes(payload);
        byte[] expectedHash = SHA256.HashData(payload);
        using var client = new Http2TestClient(smallWindows.Server.Url(endpoint), timeout: TimeSpan.FromSeconds(60));
        using HttpRequestMessage request = Http2TestClient.Request(HttpMethod.Post, "/echo");
        request.Content = new DuplexBytesContent(payload); // echo streams back while we upload: needs duplex
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using HttpResponseMessage response = await client.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        Assert.Equal(payload.Length, total);
        Assert.Equal(Convert.ToHexString(expectedHash), Convert.ToHexString(hash.GetHashAndReset()));
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_gzip_encoded_upload_is_decoded_to_the_original_text(string endpoint)
    {
        // Multi-byte characters (2, 3 and 4 octets in UTF-8), long enough to span many DATA frames.
        string text = string.Concat(Enumerable.Range(0, 3000).Select(i => $"Grüße {i}, 世界, ☃ and 🚀 — ok\n"));
        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(text));
            }

            compressed = buffer.ToArray();
        }

        using var client = new Http2TestClient(defaults.Server.Url(endpoint));
        using HttpRequestMessage request = Http2TestClient.Request(HttpMethod.Post, "/gzip-echo-text");
        request.Content = new ByteArrayContent(compressed);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain; charset=utf-8");
        request.Content.Headers.ContentEncoding.Add("gzip");

        using HttpResponseMessage response = await client.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(text, Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_handler_that_throws_gives_500_and_the_connection_serves_the_next_request(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        using HttpResponseMessage failed = await client.Client.GetAsync("/throw");
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("", await failed.Content.ReadAsStringAsync());

        await AssertSameConnectionStillServesAsync(client);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_handler_that_throws_after_writing_resets_the_stream_and_the_connection_survives(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.Client.GetStringAsync("/throw-late"));
        HttpProtocolException? reset = Chain(error).OfType<HttpProtocolException>().FirstOrDefault();
        Assert.True(reset is not null, $"expected a stream reset (HttpProtocolException), got:\n{error}\nserver log:\n{defaults.Server.Log.Tail()}");
        Assert.Equal(0x2, reset.ErrorCode); // INTERNAL_ERROR

        await AssertSameConnectionStillServesAsync(client);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Head_is_get_without_a_body(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        using HttpResponseMessage head = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/plain", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_wrong_method_gives_405_with_allow_and_an_unknown_path_404(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        using HttpResponseMessage delete = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Delete, "/"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Contains("GET", delete.Content.Headers.Allow);
        Assert.DoesNotContain("DELETE", delete.Content.Headers.Allow);

        using HttpResponseMessage get = await client.Client.GetAsync("/echo");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Contains("POST", get.Content.Headers.Allow);
        Assert.DoesNotContain("GET", get.Content.Headers.Allow);

        using HttpResponseMessage missing = await client.Client.GetAsync("/no/such/path");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        Assert.Equal(1, client.Connections);
    }

    [Theory]
    [MemberData(nameof(ErrorStatusPaths))]
    public async Task Head_answered_with_an_error_status_has_no_body(string endpoint, string path, HttpStatusCode expected)
    {
        // RFC 9110 §9.3.2: the server must not send content in response to HEAD, whatever the status.
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        using HttpResponseMessage head = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Head, path));

        Assert.Equal(expected, head.StatusCode);
        if (expected == HttpStatusCode.MethodNotAllowed)
        {
            Assert.Contains("POST", head.Content.Headers.Allow);
        }

        byte[] body = await head.Content.ReadAsByteArrayAsync();
        Assert.True(body.Length == 0, $"the HEAD response carried a {body.Length}-octet body: {Encoding.UTF8.GetString(body).TrimEnd()}");
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Response_trailers_arrive_after_the_body(string endpoint)
    {
        using var client = new Http2TestClient(defaults.Server.Url(endpoint));

        using HttpResponseMessage response = await client.Client.GetAsync("/trailers");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("body before trailers\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(["abc123"], response.TrailingHeaders.GetValues("x-checksum"));
        Assert.Equal(["3"], response.TrailingHeaders.GetValues("x-items"));
    }

    /// <summary>Every endpoint, with a POST-only path (405) and an unknown path (404).</summary>
    public static TheoryData<string, string, HttpStatusCode> ErrorStatusPaths()
    {
        var data = new TheoryData<string, string, HttpStatusCode>();
        foreach (ServerEndpoint endpoint in ServerMatrix.All)
        {
            data.Add(endpoint.Name, "/echo", HttpStatusCode.MethodNotAllowed);
            data.Add(endpoint.Name, "/no/such/path", HttpStatusCode.NotFound);
        }

        return data;
    }

    private static async Task DownloadAndVerifyAsync(HttpClient client, long size)
    {
        using HttpResponseMessage response = await client.GetAsync($"/bytes/{size}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(size, response.Content.Headers.ContentLength);

        await using Stream body = await response.Content.ReadAsStreamAsync();
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            if (!BytesPattern.Matches(total, buffer.AsSpan(0, read)))
            {
                Assert.Fail($"wrong content in the {read} octets at offset {total}");
            }

            total += read;
        }

        Assert.Equal(size, total);
    }

    private static IEnumerable<Exception> Chain(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
        }
    }

    /// <summary>The next request on the same client succeeds without a new TCP connection.</summary>
    private static async Task AssertSameConnectionStillServesAsync(Http2TestClient client)
    {
        using HttpResponseMessage next = await client.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal("Hello World\n", await next.Content.ReadAsStringAsync());
        Assert.Equal(1, client.Connections);
    }
}
