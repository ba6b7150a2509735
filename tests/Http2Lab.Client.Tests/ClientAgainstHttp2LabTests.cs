using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary>
/// <see cref="Http2Client"/> against our own server on every dispatcher, over h2c (prior knowledge) and TLS (ALPN h2,
/// self-signed certificate, validation switched off as a lab would).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ClientAgainstHttp2LabTests(ClientTestServerFixture fixture)
{
    private ClientTestServer Server => fixture.Server;

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task Get_returns_status_headers_and_body(string endpoint)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(Server.Url(endpoint, "/"));

        Assert.Equal(200, response.StatusCode);
        Assert.StartsWith("text/plain", response.GetHeader("content-type"));
        Assert.Equal("Hello World\n", await response.ReadAsStringAsync(test.Token));
        Assert.Equal(1, response.StreamId);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task A_PING_is_acknowledged_and_timed(string endpoint)
    {
        await using var test = TestClient.Start();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan[] roundTrips = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => test.Client.PingAsync(Server.Url(endpoint, "/"), test.Token)));
        TimeSpan elapsed = clock.Elapsed;
        await using Http2ClientResponse response = await test.GetAsync(Server.Url(endpoint, "/"));

        // A measured round trip: more than nothing, and within the time the calls took (connecting included).
        Assert.All(roundTrips, rtt => Assert.InRange(rtt, TimeSpan.FromTicks(1), elapsed));
        Assert.Equal("Hello World\n", await response.ReadAsStringAsync(test.Token));
        Assert.Equal(1, test.Client.ConnectionsOpened);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task Post_sends_the_body_and_the_server_echoes_it(string endpoint)
    {
        await using var test = TestClient.Start();
        byte[] body = new byte[300_000]; // more than one window's worth of DATA frames
        new Random(9).NextBytes(body);

        await using Http2ClientResponse response = await test.Client.PostAsync(Server.Url(endpoint, "/echo"), body, test.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, await response.ReadAsBytesAsync(test.Token));
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task A_string_body_is_sent_as_utf8_text(string endpoint)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.Client.SendAsync(
            Http2ClientRequest.Get(Server.Url(endpoint, "/headers")).WithHeader("X-Custom", "yes"), test.Token);
        await using Http2ClientResponse echo = await test.Client.PostAsync(Server.Url(endpoint, "/echo"), "gr\u00fc\u00dfe", test.Token);

        string headers = await response.ReadAsStringAsync(test.Token);
        Assert.Contains("x-custom: yes\n", headers);
        Assert.Contains(":method: GET\n", headers);
        Assert.Equal("gr\u00fc\u00dfe", await echo.ReadAsStringAsync(test.Token));
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task A_hundred_concurrent_requests_share_one_connection(string endpoint)
    {
        await using var test = TestClient.Start();

        async Task<bool> OneAsync(int i)
        {
            await using Http2ClientResponse response = await test.GetAsync(Server.Url(endpoint, $"/bytes/{1000 + i}"));
            byte[] body = await response.ReadAsBytesAsync(test.Token);
            return response.StatusCode == 200 && body.Length == 1000 + i && BytesPattern.Matches(0, body);
        }

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(OneAsync));

        Assert.All(results, Assert.True);
        Assert.Equal(1, test.Client.ConnectionsOpened);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task A_gzip_body_is_decoded(string endpoint)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(Server.Url(endpoint, "/client/gzip"));

        Assert.Equal("gzip", response.ContentEncoding);
        Assert.Equal(ClientTestServer.GzipText, await response.ReadAsStringAsync(test.Token));
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task Trailers_arrive_after_the_body(string endpoint)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(Server.Url(endpoint, "/client/trailers"));

        Assert.Equal("body before trailers\n", await response.ReadAsStringAsync(test.Token));
        Assert.Contains(new KeyValuePair<string, string>("x-checksum", "abc123"), response.Trailers);
    }

    [Theory]
    [MemberData(nameof(ClientTestServer.Endpoints), MemberType = typeof(ClientTestServer))]
    public async Task Cancelling_a_request_resets_its_stream_and_the_connection_stays_usable(string endpoint)
    {
        await using var test = TestClient.Start();
        using var soon = CancellationTokenSource.CreateLinkedTokenSource(test.Token);
        await (await test.GetAsync(Server.Url(endpoint, "/"))).DisposeAsync(); // the connection is up: ids follow call order
        Task<Http2ClientResponse> slow = test.Client.GetAsync(Server.Url(endpoint, "/slow?ms=10000"), soon.Token);

        await using (Http2ClientResponse first = await test.GetAsync(Server.Url(endpoint, "/")))
        {
            Assert.Equal(200, first.StatusCode); // the slow request is on the wire by now
        }

        soon.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow);

        // A body abandoned half-way is reset too.
        await using (Http2ClientResponse big = await test.GetAsync(Server.Url(endpoint, "/bytes/100000000")))
        {
            byte[] some = new byte[1000];
            Assert.True(await big.Body.ReadAsync(some, test.Token) > 0);
        }

        await using Http2ClientResponse after = await test.GetAsync(Server.Url(endpoint, "/"));
        Assert.Equal("Hello World\n", await after.ReadAsStringAsync(test.Token));
        Assert.Equal(1, test.Client.ConnectionsOpened);
    }

    [Theory]
    [InlineData("Async-h2c")]
    [InlineData("Async-h2")]
    [InlineData("Poll-h2")]
    public async Task A_100_MB_download_is_byte_exact(string endpoint)
    {
        await using var test = TestClient.Start(TimeSpan.FromMinutes(3));
        const long size = 100L * 1024 * 1024;

        await using Http2ClientResponse response = await test.GetAsync(Server.Url(endpoint, $"/bytes/{size}"));

        Assert.Equal(size, await BytesPattern.VerifyAsync(response.Body, test.Token));
    }

    [Fact]
    public async Task Certificate_validation_is_on_by_default()
    {
        await using var client = new Http2Client();
        using var cancel = new CancellationTokenSource(TestClient.DefaultBound);

        var error = await Assert.ThrowsAsync<Http2ClientException>(() => client.GetAsync(Server.Url("Async-h2", "/"), cancel.Token));

        Assert.IsAssignableFrom<System.Security.Authentication.AuthenticationException>(error.InnerException);
    }

    [Theory]
    [InlineData("Async-h2c")]
    [InlineData("ThreadPerConnection-h2")]
    [InlineData("Poll-h2c")]
    public async Task A_stream_body_larger_than_the_server_window_is_sent_with_trailers(string endpoint)
    {
        await using var test = TestClient.Start();
        byte[] body = new byte[2 * 1024 * 1024]; // beyond the server's 768 KiB stream window: needs its WINDOW_UPDATEs
        new Random(11).NextBytes(body);
        Http2ClientRequest request = Http2ClientRequest.Post(Server.Url(endpoint, "/echo"), new MemoryStream(body), "application/octet-stream")
            .WithTrailer("x-request-checksum", "42");

        await using Http2ClientResponse response = await test.Client.SendAsync(request, test.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, await response.ReadAsBytesAsync(test.Token));
    }

    [Fact]
    public async Task Text_is_decoded_in_the_charset_of_content_type()
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(Server.Url("Async-h2c", "/client/latin1"));

        Assert.Equal("caf\u00e9", await response.ReadAsStringAsync(test.Token));
    }

    [Theory]
    [InlineData("Async-h2c")]
    [InlineData("Poll-h2")]
    public async Task HEAD_gets_the_headers_of_GET_and_no_body(string endpoint)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.Client.SendAsync(new Http2ClientRequest("HEAD", new Uri(Server.Url(endpoint, "/bytes/5000"))), test.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("5000", response.GetHeader("content-length")); // describes the GET body (RFC 9110 §9.3.2)
        Assert.Empty(await response.ReadAsBytesAsync(test.Token));
    }
}

