using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>Routing as a client sees it: which handler answers, 404, 405 with <c>allow</c>, HEAD through GET.</summary>
public sealed class RouterTests(RouterHostFixture fixture) : IClassFixture<RouterHostFixture>
{
    private async Task<RawResponse> SendAsync(string method, string path)
    {
        await using RawH2Client client = await fixture.Host.ConnectAsync();
        return await client.SendAndReadAsync(method, path);
    }

    [Theory]
    [InlineData("/files/readme", "exact readme")]         // exact beats a matching prefix
    [InlineData("/files/readme/more", "files prefix")]    // exact is exact
    [InlineData("/files/other", "files prefix")]
    [InlineData("/files/", "files prefix")]
    [InlineData("/files/deep/x/y", "deep prefix")]        // longest prefix wins
    [InlineData("/files/deep", "files prefix")]           // "/files/deep" does not start with "/files/deep/"
    [InlineData("/files/readme?x=1", "exact readme")]     // the query is not part of the path
    public async Task Exact_route_beats_prefix_and_longest_prefix_wins(string path, string expected)
    {
        RawResponse response = await SendAsync("GET", path);

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.BodyText);
    }

    [Theory]
    [InlineData("GET", "/files/upload", "files prefix")]  // the exact route lacks GET: the prefix route serves it
    [InlineData("POST", "/files/upload", "exact upload")]
    public async Task An_exact_route_without_the_method_falls_through_to_a_prefix_route(string method, string path, string expected)
    {
        RawResponse response = await SendAsync(method, path);

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.BodyText);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/files")]
    [InlineData("/FILES/readme")] // paths are case-sensitive
    [InlineData("/di")]
    public async Task Unknown_path_is_404(string path)
    {
        RawResponse response = await SendAsync("GET", path);

        Assert.Equal(404, response.Status);
        Assert.Equal("Not Found\n", response.BodyText);
        Assert.Null(response.Header("allow"));
    }

    [Theory]
    [InlineData("DELETE", "/both", "GET, HEAD, POST")]
    [InlineData("GET", "/put-only", "PUT")]
    [InlineData("HEAD", "/put-only", "PUT")]          // no GET, so no HEAD either
    [InlineData("POST", "/files/anything", "GET, HEAD")] // a prefix route answers 405 too
    [InlineData("PUT", "/page", "GET, HEAD")]
    [InlineData("DELETE", "/files/upload", "POST")] // nothing serves DELETE: allow names the exact route's methods
    public async Task Wrong_method_is_405_with_allow(string method, string path, string allow)
    {
        RawResponse response = await SendAsync(method, path);

        Assert.Equal(405, response.Status);
        Assert.Equal(allow, response.Header("allow"));
        Assert.Equal(method == "HEAD" ? "" : "Method Not Allowed\n", response.BodyText);
    }

    [Theory]
    [InlineData("GET", "get both")]
    [InlineData("POST", "post both")]
    public async Task Each_method_reaches_its_own_handler(string method, string expected)
    {
        RawResponse response = await SendAsync(method, "/both");

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.BodyText);
    }

    [Theory]
    [InlineData("/page")]
    [InlineData("/big-page")] // larger than any first write the response holds back
    public async Task Head_is_served_by_the_get_handler_with_its_headers_and_no_body(string path)
    {
        RawResponse get = await SendAsync("GET", path);
        RawResponse head = await SendAsync("HEAD", path);

        Assert.Equal(200, get.Status);
        Assert.NotEmpty(get.Body);
        Assert.Equal(200, head.Status);
        Assert.Equal("get", head.Header("x-handler"));
        Assert.Equal(get.Header("content-type"), head.Header("content-type"));
        Assert.Empty(head.Body);
        Assert.Null(head.ResetCode);
        Assert.True(head.Frames[^1].EndStream, head.ToString());
    }

    [Fact]
    public async Task Head_keeps_the_content_length_the_get_handler_declares()
    {
        RawResponse response = await SendAsync("HEAD", "/sized");

        Assert.Equal(200, response.Status);
        Assert.Equal("5", response.Header("content-length"));
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Head_for_an_unknown_path_is_404_without_body()
    {
        RawResponse response = await SendAsync("HEAD", "/nope");

        Assert.Equal(404, response.Status);
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Endpoints_registered_in_di_are_served()
    {
        await using RawH2Client client = await fixture.Host.ConnectAsync();

        RawResponse exact = await client.SendAndReadAsync("GET", "/di/exact");
        int id = await client.SendRequestAsync("POST", "/di/prefix/a/b");
        RawResponse prefix = await client.ReadResponseAsync(id);
        RawResponse wrongMethod = await client.SendAndReadAsync("GET", "/di/prefix/a");

        Assert.Equal(200, exact.Status);
        Assert.Equal(new RouterHostFixture.Greeting().Text, exact.BodyText);
        Assert.Equal(200, prefix.Status);
        Assert.Equal("di prefix /di/prefix/a/b", prefix.BodyText);
        Assert.Equal(405, wrongMethod.Status);
        Assert.Equal("POST", wrongMethod.Header("allow"));
    }

    [Theory]
    [InlineData("/second-callback", "second callback")]
    [InlineData("/third-callback", "third callback")]
    public async Task Every_AddHttp2Routes_callback_is_applied(string path, string expected)
    {
        RawResponse response = await SendAsync("GET", path);

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.BodyText);
    }

    [Fact]
    public async Task Many_routed_requests_share_one_connection()
    {
        await using RawH2Client client = await fixture.Host.ConnectAsync();
        string[] paths = ["/files/readme", "/nope", "/both", "/di/exact", "/files/deep/1", "/put-only"];
        var ids = new List<int>();
        foreach (string path in paths)
        {
            ids.Add(await client.SendRequestAsync("GET", path));
        }

        int[] statuses = new int[paths.Length];
        for (int i = 0; i < ids.Count; i++)
        {
            statuses[i] = (await client.ReadResponseAsync(ids[i])).Status;
        }

        Assert.Equal([200, 404, 200, 200, 200, 405], statuses);
        Assert.DoesNotContain(client.ReceivedFrames, f => f.Type is FrameType.GoAway or FrameType.RstStream);
    }
}
