using System.Diagnostics;
using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary>The CLI (samples/Client) as a user runs it: <c>dotnet http2lab-client.dll [options] URL</c>, against our server.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliTests(ClientTestServerFixture fixture)
{
    [Fact]
    public async Task Get_with_include_prints_the_status_headers_and_body()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("-k", "-i", fixture.Server.Url("Async-h2", "/"));

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("HTTP/2 200\r\n", stdout);
        Assert.EndsWith("\r\n\r\nHello World\n", stdout);
    }

    [Fact]
    public async Task Post_data_from_a_file_is_echoed_to_the_output_file()
    {
        string input = Path.GetTempFileName(), output = Path.GetTempFileName();
        try
        {
            byte[] body = new byte[100_000];
            new Random(5).NextBytes(body);
            await File.WriteAllBytesAsync(input, body);

            (int exitCode, _, string stderr) = await RunAsync("-d", "@" + input, "-o", output, fixture.Server.Url("Poll-h2c", "/echo"));

            Assert.True(exitCode == 0, stderr);
            Assert.Equal(body, await File.ReadAllBytesAsync(output));
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    [Fact]
    public async Task Load_mode_prints_a_summary()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("-n", "200", "-c", "2", "-m", "10", fixture.Server.Url("Async-h2c", "/"));

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("200 succeeded, 0 failed", stdout);
        Assert.Contains("req/s", stdout);
        Assert.Contains("p99", stdout);
    }

    [Fact]
    public async Task Ping_mode_prints_each_round_trip_and_a_summary()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--ping", "3", "-k", fixture.Server.Url("Poll-h2", "/"));

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Equal(3, stdout.Split('\n').Count(line => line.StartsWith("PING ACK from 127.0.0.1:", StringComparison.Ordinal)));
        Assert.Contains("3 PINGs: min ", stdout);
    }

    [Fact]
    public async Task Probe_mode_reports_every_case_as_expected_for_our_server()
    {
        (int exitCode, string stdout, string stderr) = await RunAsync("--probe", "-k", fixture.Server.Url("Async-h2", "/"));

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains($"{Probe.Http2Probe.Cases.Count} of {Probe.Http2Probe.Cases.Count} cases", stdout);
    }

    [Fact]
    public async Task A_certificate_error_fails_without_k()
    {
        (int exitCode, _, string stderr) = await RunAsync(fixture.Server.Url("Async-h2", "/"));

        Assert.Equal(1, exitCode);
        Assert.Contains("http2lab-client:", stderr);
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "http2lab-client.dll");
        Assert.True(File.Exists(dll), $"{dll} not found: build tests/Http2Lab.Client.Tests (it builds samples/Client)");
        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"http2lab-client {string.Join(' ', arguments)} did not finish within 2 minutes");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : ExternalTool.Require("dotnet", "the .NET SDK");
}
