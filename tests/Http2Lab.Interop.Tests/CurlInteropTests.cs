using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>curl (libcurl + nghttp2) against every endpoint of <see cref="ServerMatrix"/>: h2c with prior knowledge, TLS with ALPN h2.</summary>
[Collection(SharedServersCollection.Name)]
public sealed class CurlInteropTests(DefaultServerFixture defaults) : IDisposable
{
    private static readonly TimeSpan CurlTimeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-curl-").FullName;

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Get_root_returns_hello_world_over_http2(string endpoint)
    {
        string body = Path.Combine(_directory, "body");

        ToolResult result = await CurlAsync(endpoint, "-o", body, "-w", "%{http_code} %{http_version}", Url(endpoint, "/"));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("200 2", result.StdOut);
        Assert.Equal("Hello World\n", await File.ReadAllTextAsync(body));
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Post_echo_returns_the_uploaded_file(string endpoint)
    {
        string upload = Path.Combine(_directory, "upload.bin");
        string download = Path.Combine(_directory, "download.bin");
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(payload);
        await File.WriteAllBytesAsync(upload, payload);

        ToolResult result = await CurlAsync(endpoint,
            "--data-binary", "@" + upload, "-H", "content-type: application/x-test",
            "-o", download, "-w", "%{http_code} %{http_version} %{content_type}", Url(endpoint, "/echo"));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("200 2 application/x-test", result.StdOut);
        byte[] echoed = await File.ReadAllBytesAsync(download);
        Assert.True(payload.AsSpan().SequenceEqual(echoed), $"the echoed body differs from the upload ({echoed.Length} of {payload.Length} octets)");
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Head_shows_status_and_headers(string endpoint)
    {
        ToolResult result = await CurlAsync(endpoint, "-I", Url(endpoint, "/"));

        Assert.True(result.ExitCode == 0, result.Describe());
        string[] lines = result.StdOut.Split("\r\n");
        Assert.Equal("HTTP/2 200", lines[0].Trim());
        Assert.Contains("content-type: text/plain", lines);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Head_on_a_post_only_route_shows_405_and_allow(string endpoint)
    {
        ToolResult result = await CurlAsync(endpoint, "-I", Url(endpoint, "/echo"));

        // curl (nghttp2) treats DATA on a HEAD response as a protocol error, so exit 0 also proves "no body".
        Assert.True(result.ExitCode == 0, result.Describe());
        string[] lines = result.StdOut.Split("\r\n");
        Assert.Equal("HTTP/2 405", lines[0].Trim());
        Assert.Contains("allow: POST", lines);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.CleartextEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task An_http1_request_on_an_h2c_endpoint_gets_a_readable_505(string endpoint)
    {
        ToolResult result = await ExternalTool.RunAsync(
            ExternalTool.Curl(), ["--http1.1", "-sS", "-i", "--max-time", "10", Url(endpoint, "/")], CurlTimeout);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.StartsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n", result.StdOut);
        Assert.EndsWith("This endpoint speaks HTTP/2 only, with prior knowledge (RFC 9113 3.3): use e.g. curl --http2-prior-knowledge or nghttp.\n", result.StdOut);

        // The endpoint is none the worse for it.
        ToolResult h2 = await CurlAsync(endpoint, Url(endpoint, "/"));
        Assert.Equal("Hello World\n", h2.StdOut);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Url(string endpoint, string path) => defaults.Server.Url(endpoint, path);

    private static Task<ToolResult> CurlAsync(string endpoint, params string[] arguments)
    {
        string[] mode = ServerEndpoint.Parse(endpoint).Tls ? ["-k", "--http2"] : ["--http2-prior-knowledge"];
        return ExternalTool.RunAsync(ExternalTool.Curl(), [.. mode, "-sS", "--max-time", "25", .. arguments], CurlTimeout);
    }
}
