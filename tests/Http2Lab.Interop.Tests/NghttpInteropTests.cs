using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>nghttp, the nghttp2 reference client: h2c (prior knowledge) and TLS (ALPN h2).</summary>
[Collection(SharedServersCollection.Name)]
public sealed partial class NghttpInteropTests(DefaultServerFixture defaults) : IDisposable
{
    // nghttp exits 0 even when a request fails; it says so on stdout instead.
    private const string NotProcessed = "Some requests were not processed";

    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-nghttp-").FullName;

    [Theory]
    [InlineData("h2c")]
    [InlineData("h2")]
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
    [InlineData("h2c")]
    [InlineData("h2")]
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
    [InlineData("h2c")]
    [InlineData("h2")]
    public async Task Several_urls_are_multiplexed_on_one_connection(string endpoint)
    {
        // Three one-second requests: served one after another they would take three seconds.
        string[] urls =
        [
            Url(endpoint, "/slow?ms=1000&n=1"),
            Url(endpoint, "/slow?ms=1000&n=2"),
            Url(endpoint, "/slow?ms=1000&n=3"),
            Url(endpoint, "/headers"),
            Url(endpoint, "/bytes/100000"),
        ];

        ToolResult result = await NghttpAsync(["-nv", .. urls]);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.DoesNotContain(NotProcessed, result.StdOut);
        Assert.Single(Regex.Matches(result.StdOut, "Connected"));
        string[] answered = [.. StatusLine().Matches(result.StdOut).Select(m => m.Groups["id"].Value).Distinct()];
        Assert.True(answered.Length == urls.Length, $"expected {urls.Length} streams answered 200, got [{string.Join(", ", answered)}]\n{result.Describe()}");

        // Every request went out before the first response came back...
        int lastRequest = result.StdOut.LastIndexOf("send HEADERS frame", StringComparison.Ordinal);
        int firstResponse = result.StdOut.IndexOf("recv (stream_id=", StringComparison.Ordinal);
        Assert.True(lastRequest < firstResponse, "nghttp did not send all requests before the first response:\n" + result.Describe());

        // ...and the server ran them concurrently.
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(2.5), $"took {result.Elapsed.TotalSeconds:F2} s: the slow requests were not served concurrently");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Url(string endpoint, string path) => defaults.Server.Url(endpoint, path);

    private static Task<ToolResult> NghttpAsync(string[] arguments) =>
        ExternalTool.RunAsync(ExternalTool.Nghttp(), ["--timeout=20", .. arguments], TimeSpan.FromSeconds(30));

    [GeneratedRegex(@"recv \(stream_id=(?<id>\d+)\) :status: 200")]
    private static partial Regex StatusLine();
}
