using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary><see cref="Http2Client"/> against nghttpd (nghttp2's server) over loopback: the shared cases with its trailer, 404, POST echo.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientAgainstNghttpdTests(NghttpdFixture nghttpd) : ClientAgainstExternalServerTests(nghttpd)
{
    protected override KeyValuePair<string, string>? FileTrailer => new("x-nghttpd", "done");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_file_is_404(bool tls)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(await UrlAsync(tls, "/no-such-file"));

        Assert.Equal(404, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_body_is_echoed(bool tls)
    {
        await using var test = TestClient.Start();
        byte[] body = new byte[200_000];
        new Random(7).NextBytes(body);

        await using Http2ClientResponse response = await test.Client.PostAsync(await UrlAsync(tls, "/echo"), body, test.Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, await response.ReadAsBytesAsync(test.Token));
    }
}
