using System.Diagnostics;
using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;
using Http2Lab.Samples.AspNetCoreApp;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>
/// The ASP.NET Core sample as its own process: configuration errors end as on the native host — one line naming the
/// key, exit code 1 — although WebApplication builds the server inside <c>Build()</c>.
/// </summary>
public sealed class AspNetCoreStartupTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Task<ToolResult> RunSampleAsync(params string[] arguments) =>
        ExternalTool.RunAsync("dotnet", [typeof(AspNetCoreSample).Assembly.Location, "--contentRoot", AspNetCoreServer.ContentRoot, .. arguments], Bound);

    [Fact]
    public async Task A_value_of_the_wrong_type_is_one_line_and_exit_1()
    {
        ToolResult result = await RunSampleAsync("--environment", "Development", "--Http2Lab:Limits:MaxConcurrentStreams=abc",
            "--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0");

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Equal("Http2Lab:Limits:MaxConcurrentStreams: 'abc' is not a whole number from -2147483648 to 2147483647", result.StdErr.Trim());
    }

    [Fact]
    public async Task An_https_endpoint_without_a_certificate_outside_Development_is_one_line_and_exit_1()
    {
        ToolResult result = await RunSampleAsync("--environment", "Production", "--Http2Lab:Endpoints:h2:Url=https://127.0.0.1:0");

        Assert.True(result.ExitCode == 1, result.Describe());
        string line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Http2Lab:Endpoints:h2:Certificate: no certificate is configured", line);
    }

    [Fact]
    public async Task The_sample_process_serves_its_application_through_the_runner()
    {
        // Http2LabHostRunner prepares the endpoints before the host starts: the application must still answer (not
        // the native router, which would say "Not Found").
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                typeof(AspNetCoreSample).Assembly.Location, "--contentRoot", AspNetCoreServer.ContentRoot, "--environment", "Development",
                "--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0", "--Logging:LogLevel:Default=Information",
            },
        };
        using Process process = Process.Start(start)!;
        try
        {
            Uri? url = null;
            using var timeout = new CancellationTokenSource(Bound);
            while (url is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                Match match = Regex.Match(line, @"'h2c' listening on (http://127\.0\.0\.1:\d+)");
                url = match.Success ? new Uri(match.Groups[1].Value) : null;
            }

            Assert.NotNull(url);
            using var client = new Http2TestClient(url, timeout: Bound);
            Assert.Equal("Hello, runner!", await client.Client.GetStringAsync("/hello/runner"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
