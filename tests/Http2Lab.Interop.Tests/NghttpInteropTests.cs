using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>nghttp, the nghttp2 reference client, against every endpoint of <see cref="ServerMatrix"/>: h2c (prior knowledge) and TLS (ALPN h2).</summary>
[Collection(SharedServersCollection.Name)]
public sealed partial class NghttpInteropTests(DefaultServerFixture defaults) : IDisposable
{
    // nghttp exits 0 even when a request fails; it says so on stdout instead.
    private const string NotProcessed = "Some requests were not processed";

    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-nghttp-").FullName;

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Get_root_in_verbose_mode(string endpoint)
    {
        ToolResult result = await NghttpAsync(["-v", Url(endpoint, "/")]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain(NotProcessed, result.StdOut);
        Assert.Matches(@"recv \(stream_id=\d+\) :status: 200", result.StdOut);
        Assert.Contains("recv SETTINGS frame", result.StdOut);
        Assert.Contains("Hello World\n", result.StdOut);
        Assert.Matches(@"recv DATA frame <length=12, flags=0x01, stream_id=\d+>", result.StdOut); // END_STREAM
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Upload_with_d_is_echoed(string endpoint)
    {
        // 400 000 printable octets: larger than nghttp's 64 KiB default windows in both directions.
        var random = new Random(11);
        string text = string.Concat(Enumerable.Range(0, 4000).Select(i => new string((char)('A' + random.Next(26)), 99) + "\n"));
        string upload = Path.Combine(_directory, "upload.txt");
        await File.WriteAllTextAsync(upload, text);

        ToolResult result = await NghttpAsync(["-d", upload, Url(endpoint, "/echo")]);

        Assert.True(result.ExitCode == 0, result.Describe(300));
        Assert.DoesNotContain(NotProcessed, result.StdOut);
        Assert.True(text == result.StdOut, $"echo differs: sent {text.Length} characters, got {result.StdOut.Length}\n{result.Describe(300)}");
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Several_urls_are_multiplexed_on_one_connection_and_served_concurrently(string endpoint)
    {
        // Three requests that are answered 200 only when all three are being handled at once (504 after
        // TestRoutes.RendezvousTimeout otherwise), beside two ordinary ones.
        string group = Guid.NewGuid().ToString("N");
        string[] urls =
        [
            Url(endpoint, $"/together?group={group}&n=3&i=1"),
            Url(endpoint, $"/together?group={group}&n=3&i=2"),
            Url(endpoint, $"/together?group={group}&n=3&i=3"),
            Url(endpoint, "/headers"),
            Url(endpoint, "/bytes/100000"),
        ];

        ToolResult result = await NghttpAsync(["-nv", .. urls]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain(NotProcessed, result.StdOut);
        Assert.Single(Regex.Matches(result.StdOut, "Connected"));
        string[] answered = [.. StatusLine().Matches(result.StdOut).Select(m => m.Groups["id"].Value).Distinct()];
        Assert.True(answered.Length == urls.Length, $"expected {urls.Length} streams answered 200 (a 504 means the three /together requests were not handled concurrently), got [{string.Join(", ", answered)}]\n{result.Describe()}");

        // Every request went out before the first response came back.
        int lastRequest = result.StdOut.LastIndexOf("send HEADERS frame", StringComparison.Ordinal);
        int firstResponse = result.StdOut.IndexOf("recv (stream_id=", StringComparison.Ordinal);
        Assert.True(lastRequest < firstResponse, "nghttp did not send all requests before the first response:\n" + result.Describe());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Url(string endpoint, string path) => defaults.Server.Url(endpoint, path);

    private static Task<ToolResult> NghttpAsync(string[] arguments) =>
        ExternalTool.RunAsync(ExternalTool.Nghttp(), ["--timeout=20", .. arguments], TimeSpan.FromSeconds(30));

    [GeneratedRegex(@"recv \(stream_id=(?<id>\d+)\) :status: 200")]
    private static partial Regex StatusLine();
}
