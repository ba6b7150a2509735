using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary>
/// What <see cref="Http2Client"/> must do against any conforming server, over h2c (prior knowledge) and TLS; each
/// external server's class runs these against its fixture and adds what only that server offers.
/// </summary>
public abstract class ClientAgainstExternalServerTests(ExternalServerFixture server)
{
    /// <summary>A trailer the server adds to every response, if it is configured to.</summary>
    protected virtual KeyValuePair<string, string>? FileTrailer => null;

    /// <summary>The server's base URL over h2c or TLS.</summary>
    protected Task<Uri> BaseUrlAsync(bool tls) => server.UrlAsync(tls);

    protected async Task<string> UrlAsync(bool tls, string path) => new Uri(await server.UrlAsync(tls), path).ToString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_a_file(bool tls)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(await UrlAsync(tls, "/hello.txt"));

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(ServerFiles.Hello, await response.ReadAsStringAsync(test.Token));
        if (FileTrailer is { } trailer)
        {
            Assert.Contains(trailer, response.Trailers);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PINGs_are_acknowledged_and_timed_on_the_requests_connection(bool tls)
    {
        await using var test = TestClient.Start();
        string url = await UrlAsync(tls, "/hello.txt");

        // Several at once: each ACK must reach the PING that carried its opaque data.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan[] roundTrips = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => test.Client.PingAsync(url, test.Token)));
        TimeSpan elapsed = clock.Elapsed;
        await using Http2ClientResponse response = await test.GetAsync(url);

        // A measured round trip: more than nothing, and within the time the calls took (connecting included).
        Assert.All(roundTrips, rtt => Assert.InRange(rtt, TimeSpan.FromTicks(1), elapsed));
        Assert.Equal(ServerFiles.Hello, await response.ReadAsStringAsync(test.Token));
        Assert.Equal(1, test.Client.ConnectionsOpened);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hundred_concurrent_requests_share_one_connection(bool tls)
    {
        await using var test = TestClient.Start();
        string url = await UrlAsync(tls, "/hello.txt");

        async Task<string> OneAsync()
        {
            await using Http2ClientResponse response = await test.GetAsync(url);
            return await response.ReadAsStringAsync(test.Token);
        }

        string[] bodies = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => OneAsync()));

        Assert.All(bodies, body => Assert.Equal(ServerFiles.Hello, body));
        Assert.Equal(1, test.Client.ConnectionsOpened);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_100_MB_download_is_byte_exact(bool tls)
    {
        await using var test = TestClient.Start(TimeSpan.FromMinutes(3));

        await using Http2ClientResponse response = await test.GetAsync(await UrlAsync(tls, "/big.bin"));

        Assert.Equal(ServerFiles.BigSize.ToString(System.Globalization.CultureInfo.InvariantCulture), response.GetHeader("content-length"));
        Assert.Equal(ServerFiles.BigSize, await BytesPattern.VerifyAsync(response.Body, test.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancelling_a_download_resets_the_stream_and_the_connection_stays_usable(bool tls)
    {
        await using var test = TestClient.Start();

        await using (Http2ClientResponse big = await test.GetAsync(await UrlAsync(tls, "/big.bin")))
        {
            byte[] some = new byte[1000];
            Assert.True(await big.Body.ReadAsync(some, test.Token) > 0);
        }

        await using Http2ClientResponse after = await test.GetAsync(await UrlAsync(tls, "/hello.txt"));
        Assert.Equal(ServerFiles.Hello, await after.ReadAsStringAsync(test.Token));
        Assert.Equal(1, test.Client.ConnectionsOpened);
    }
}
