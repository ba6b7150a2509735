using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary><see cref="Http2Client"/> against h2o over loopback, h2c (prior knowledge) and TLS.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientAgainstH2oTests(H2oFixture h2o)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Http2Client NewClient() => new(new Http2ClientOptions { ValidateCertificate = false });

    private async Task<string> UrlAsync(bool tls, string path) => new Uri(await h2o.UrlAsync(tls), path).ToString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_a_file(bool tls)
    {
        await using Http2Client client = NewClient();
        using var cancel = new CancellationTokenSource(Bound);

        await using Http2ClientResponse response = await client.GetAsync(await UrlAsync(tls, "/hello.txt"), cancel.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(ServerFiles.Hello, await response.ReadAsStringAsync(cancel.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_gzip_compressed_body_is_decoded(bool tls)
    {
        await using Http2Client client = NewClient();
        using var cancel = new CancellationTokenSource(Bound);

        await using Http2ClientResponse response = await client.GetAsync(await UrlAsync(tls, "/text.txt"), cancel.Token);

        Assert.Equal("gzip", response.ContentEncoding);
        Assert.Equal(ServerFiles.Text, await response.ReadAsStringAsync(cancel.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hundred_concurrent_requests_share_one_connection(bool tls)
    {
        await using Http2Client client = NewClient();
        using var cancel = new CancellationTokenSource(Bound);
        string url = await UrlAsync(tls, "/hello.txt");

        async Task<string> OneAsync()
        {
            await using Http2ClientResponse response = await client.GetAsync(url, cancel.Token);
            return await response.ReadAsStringAsync(cancel.Token);
        }

        string[] bodies = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => OneAsync()));

        Assert.All(bodies, body => Assert.Equal(ServerFiles.Hello, body));
        Assert.Equal(1, client.ConnectionsOpened);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_100_MB_download_is_byte_exact(bool tls)
    {
        await using Http2Client client = NewClient();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        await using Http2ClientResponse response = await client.GetAsync(await UrlAsync(tls, "/big.bin"), cancel.Token);

        Assert.Equal(ServerFiles.BigSize, await BytesPattern.VerifyAsync(response.Body, cancel.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancelling_a_download_resets_the_stream_and_the_connection_stays_usable(bool tls)
    {
        await using Http2Client client = NewClient();
        using var cancel = new CancellationTokenSource(Bound);

        await using (Http2ClientResponse big = await client.GetAsync(await UrlAsync(tls, "/big.bin"), cancel.Token))
        {
            byte[] some = new byte[1000];
            Assert.True(await big.Body.ReadAsync(some, cancel.Token) > 0);
        }

        await using Http2ClientResponse after = await client.GetAsync(await UrlAsync(tls, "/hello.txt"), cancel.Token);
        Assert.Equal(ServerFiles.Hello, await after.ReadAsStringAsync(cancel.Token));
        Assert.Equal(1, client.ConnectionsOpened);
    }

    [Fact]
    public async Task The_probe_completes_against_h2o_with_a_report()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        Probe.Http2ProbeReport report = await Probe.Http2Probe.RunAsync(await h2o.UrlAsync(tls: false), new() { ValidateCertificate = false }, cancel.Token);

        Assert.Equal(Probe.Http2Probe.Cases.Count, report.Results.Count);
        Assert.Contains(report.Results, r => r.Case.Name == "valid GET" && r.Passed);
    }
}
