using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// h2load: many requests over several connections, each with many concurrent streams, against every endpoint of
/// <see cref="ServerMatrix"/>.
/// </summary>
/// <remarks>
/// SingleClient serves one connection at a time, so h2load's connections are served one after another (the rest
/// wait, their requests already sent). h2load never reconnects after an HTTP/2 GOAWAY: the requests a connection
/// has not finished are counted failed and errored. So the zero-failure assertion also means "the server never
/// sends a working client away", which is what a user of SingleClient needs from "asks an idle client to close".
/// </remarks>
[Collection(SharedServersCollection.Name)]
public sealed partial class H2loadInteropTests(DefaultServerFixture defaults)
{
    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Twenty_thousand_requests_over_ten_connections_all_succeed(string endpoint)
    {
        ToolResult result = await H2loadAsync(["-n", "20000", "-c", "10", "-m", "10", defaults.Server.Url(endpoint, "/")]);

        AssertAllSucceeded(result, 20000);
        Assert.Contains("status codes: 20000 2xx, 0 3xx, 0 4xx, 0 5xx", result.StdOut);
        if (ServerEndpoint.Parse(endpoint).Tls)
        {
            Assert.Contains("Application protocol: h2", result.StdOut);
        }
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Large_responses_under_load_respect_small_client_windows(string endpoint)
    {
        // -w/-W 16: 64 KiB stream and connection windows on the client, below the 100 000-octet bodies,
        // so every response needs WINDOW_UPDATEs while 40 streams compete for the connection windows.
        ToolResult result = await H2loadAsync(["-n", "200", "-c", "4", "-m", "10", "-w", "16", "-W", "16", defaults.Server.Url(endpoint, "/bytes/100000")]);

        AssertAllSucceeded(result, 200);
        Assert.Contains("status codes: 200 2xx, 0 3xx, 0 4xx, 0 5xx", result.StdOut);
        Match traffic = DataTraffic().Match(result.StdOut);
        Assert.True(traffic.Success, result.Describe());
        Assert.Equal(200L * 100_000, long.Parse(traffic.Groups["data"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Task<ToolResult> H2loadAsync(string[] arguments) =>
        // -N: a connection idle for 20 s is closed (its requests fail) instead of hanging the run.
        ExternalTool.RunAsync(ExternalTool.H2load(), ["-N", "20", .. arguments], TimeSpan.FromSeconds(60));

    private static void AssertAllSucceeded(ToolResult result, int count)
    {
        Assert.True(result.ExitCode == 0, result.Describe());
        Match requests = RequestsLine().Match(result.StdOut);
        Assert.True(requests.Success, "no 'requests:' line\n" + result.Describe());
        string summary = requests.Value;
        Assert.True(
            Number(requests, "total") == count && Number(requests, "done") == count && Number(requests, "succeeded") == count
            && Number(requests, "failed") == 0 && Number(requests, "errored") == 0 && Number(requests, "timeout") == 0,
            $"expected {count} succeeded, 0 failed/errored/timeout; got: {summary}\n{result.Describe()}");
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"requests: (?<total>\d+) total, (?<started>\d+) started, (?<done>\d+) done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"traffic: .*, .*\((?<data>\d+)\) data")]
    private static partial Regex DataTraffic();
}
