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
}
