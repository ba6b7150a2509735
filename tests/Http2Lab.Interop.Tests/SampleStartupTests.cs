using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// The sample as a user runs it (<c>dotnet WebHost.dll</c> with command-line overrides): bad settings end the
/// process quickly with a non-zero exit code and one line that names the key at fault; good settings serve
/// requests and stop cleanly on SIGTERM.
/// </summary>
public sealed class SampleStartupTests : IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-startup-").FullName;

    [Theory]
    [InlineData("--Http2Lab:Endpoints:h2c:Url=htp://nope", "Http2Lab:Endpoints:h2c:Url", "htp://nope")]
    [InlineData("--Http2Lab:Endpoints:h2c:Dispatcher=Nope", "Http2Lab:Endpoints:h2c:Dispatcher", "Nope")]
    [InlineData("--Http2Lab:Endpoints:h2:Certificate:Path=/nonexistent.pem", "Http2Lab:Endpoints:h2:Certificate:Path", "/nonexistent.pem")]
    [InlineData("--Http2Lab:Limits:MaxFrameSize=5", "Http2Lab:Limits:MaxFrameSize", "5")]
    public async Task A_bad_setting_exits_non_zero_naming_the_key(string setting, string key, string detail)
    {
        // The bad setting comes last so it wins over the port-0 URL where both name the same key.
        ToolResult result = await SampleApp.RunToExitAsync([.. SampleApp.PortZero, setting], ExitTimeout);

        AssertConfigurationError(result, key, detail);
    }

    [Theory]
    [InlineData("--Http2Lab:Limits:MaxConcurrentStreams=abc", "Http2Lab:Limits:MaxConcurrentStreams", "'abc' is not a whole number from -2147483648 to 2147483647")]
    [InlineData("--Http2Lab:HandshakeTimeout=banana", "Http2Lab:HandshakeTimeout", "'banana' is not a duration (hh:mm:ss, e.g. 00:00:10 for ten seconds; d.hh:mm:ss for days)")]
    [InlineData("--Http2Lab:Endpoints:h2c:NoDelay=maybe", "Http2Lab:Endpoints:h2c:NoDelay", "'maybe' is not true or false")]
    public async Task A_value_of_the_wrong_type_exits_1_with_one_line_naming_the_key(string setting, string key, string problem)
    {
        ToolResult result = await SampleApp.RunToExitAsync([.. SampleApp.PortZero, setting], ExitTimeout);

        Assert.True(result.ExitCode == 1, "expected exit code 1\n" + result.Describe());
        AssertConfigurationError(result, key, $"{key}: {problem}");
        Assert.Equal([$"{key}: {problem}"], NonEmptyLines(result.StdErr));
    }

    [Theory]
    [InlineData("http://127.0.0.1:70000", "the port '70000' is not a number from 0 to 65535")]
    [InlineData("http://127.0.0.1:0/api", "a path ('/api') is not allowed")]
    [InlineData("http://unix:http2lab.sock", "the Unix socket path 'http2lab.sock' is not absolute")]
    public async Task A_bad_url_exits_1_saying_what_is_wrong(string url, string problem)
    {
        ToolResult result = await SampleApp.RunToExitAsync([.. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2c:Url={url}"], ExitTimeout);

        Assert.True(result.ExitCode == 1, "expected exit code 1\n" + result.Describe());
        AssertConfigurationError(result, "Http2Lab:Endpoints:h2c:Url", $"'{url}' is not a valid URL: {problem}");
    }

    [Fact]
    public async Task Two_endpoints_on_the_same_port_exit_1_naming_both_keys()
    {
        // Never bound: the clash is found before binding, so it cannot read as "another server is listening".
        const int port = 8080;
        ToolResult result = await SampleApp.RunToExitAsync(
            [.. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:{port}", $"--Http2Lab:Endpoints:echo:Url=http://localhost:{port}"],
            ExitTimeout);

        Assert.True(result.ExitCode == 1, "expected exit code 1\n" + result.Describe());
        Assert.Equal([$"Http2Lab:Endpoints:echo:Url and Http2Lab:Endpoints:h2c:Url both bind 127.0.0.1:{port}"], NonEmptyLines(result.StdErr));
        Assert.DoesNotContain("in use", result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task Without_endpoints_the_sample_binds_urls_from_the_command_line()
    {
        string dll = SampleWithoutEndpoints.CopyTo(_directory);
        using RunningSample sample = SampleWithoutEndpoints.Start(dll, ["--urls", "http://127.0.0.1:0"]);

        Match bound = await sample.WaitForLineAsync(new Regex(@"'http://127\.0\.0\.1:0' listening on (?<url>http://127\.0\.0\.1:\d+) \(dispatcher Async, protocol Http2\)"), ExitTimeout);

        await AssertServesHttp2Async(bound.Groups["url"].Value, sample);
    }

    [Fact]
    public async Task Without_endpoints_the_sample_binds_ASPNETCORE_URLS_localhost_on_both_loopbacks()
    {
        string dll = SampleWithoutEndpoints.CopyTo(_directory);
        using RunningSample sample = SampleWithoutEndpoints.Start(dll, [], "ASPNETCORE_URLS=http://localhost:0");

        Match ipv4 = await sample.WaitForLineAsync(new Regex(@"'http://localhost:0' listening on (?<url>http://127\.0\.0\.1:(?<port>\d+))"), ExitTimeout);
        await sample.WaitForLineAsync(new Regex("Application started"), ExitTimeout); // every address is bound by then
        string ipv6 = $"'http://localhost:0' listening on http://[::1]:{ipv4.Groups["port"].Value} ";
        if (Http2Lab.Testing.Loopback.CanBindIPv6())
        {
            Assert.Contains(ipv6, sample.Output); // the same port on [::1]
        }
        else
        {
            Assert.DoesNotContain(ipv6, sample.Output); // no IPv6 loopback here: 127.0.0.1 alone
        }

        await AssertServesHttp2Async(ipv4.Groups["url"].Value, sample);
    }

    [Fact]
    public async Task Without_endpoints_a_bad_url_in_urls_exits_1_saying_what_is_wrong()
    {
        string dll = SampleWithoutEndpoints.CopyTo(_directory);

        ToolResult result = await ExternalTool.RunAsync(SampleApp.DotnetPath, [dll, "--urls", "htp://127.0.0.1:0"], ExitTimeout);

        Assert.True(result.ExitCode == 1, "expected exit code 1\n" + result.Describe());
        AssertConfigurationError(result, "urls", "'htp://127.0.0.1:0' is not a valid URL: the scheme 'htp' is not supported (use http or https)");
    }

    [Fact]
    public async Task With_its_endpoints_the_sample_ignores_urls_with_a_warning()
    {
        using RunningSample sample = SampleApp.Start([.. SampleApp.PortZero, "--urls", "http://127.0.0.1:0"]);

        await sample.WaitForLineAsync(new Regex(@"'h2c' listening on http://127\.0\.0\.1:\d+"), ExitTimeout);
        await sample.WaitForLineAsync(new Regex(@"Ignoring urls 'http://127\.0\.0\.1:0': endpoints are configured under Http2Lab:Endpoints"), ExitTimeout);
        Assert.DoesNotContain("'http://127.0.0.1:0' listening", sample.Output);
    }

    [Fact]
    public async Task A_wrong_pfx_password_exits_non_zero_naming_the_password_key()
    {
        string pfx = Path.Combine(_directory, "server.pfx");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
            using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "right-password"));
        }

        ToolResult result = await SampleApp.RunToExitAsync(
            [.. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2:Certificate:Path={pfx}", "--Http2Lab:Endpoints:h2:Certificate:Password=wrong-password"],
            ExitTimeout);

        AssertConfigurationError(result, "Http2Lab:Endpoints:h2:Certificate:Password", pfx);
    }

    [Fact]
    public async Task In_Production_the_https_endpoint_without_a_certificate_exits_1_naming_its_certificate_key()
    {
        // The sample runs as Development unless an environment is named; named, the development certificate is refused.
        ToolResult result = await ExternalTool.RunAsync(
            ExternalTool.Require("env", "coreutils"), ["DOTNET_ENVIRONMENT=Production", SampleApp.DotnetPath, SampleApp.DllPath, .. SampleApp.PortZero],
            ExitTimeout);

        Assert.True(result.ExitCode == 1, "expected exit code 1\n" + result.Describe());
        AssertConfigurationError(result, "Http2Lab:Endpoints:h2:Certificate", "the self-signed development certificate is only used in the Development environment, and this is 'Production'");
    }

    [Fact]
    public async Task An_environment_named_on_the_command_line_refuses_the_development_certificate_too()
    {
        ToolResult result = await SampleApp.RunToExitAsync([.. SampleApp.PortZero, "--environment", "Staging"], ExitTimeout);

        Assert.True(result.ExitCode == 1, "expected exit code 1\n" + result.Describe());
        AssertConfigurationError(result, "Http2Lab:Endpoints:h2:Certificate", "'Staging'");
    }

    [Fact]
    public async Task A_port_in_use_exits_non_zero_naming_the_url_key()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        int port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        ToolResult result = await SampleApp.RunToExitAsync(
            [.. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:{port}"], ExitTimeout);

        AssertConfigurationError(result, "Http2Lab:Endpoints:h2c:Url", $"127.0.0.1:{port}");
    }

    [Fact]
    public async Task With_port_0_the_sample_listens_answers_curl_and_exits_0_on_sigterm()
    {
        string curl = ExternalTool.Curl();
        string kill = File.Exists("/bin/kill") ? "/bin/kill" : ExternalTool.Require("kill", "procps");
        using RunningSample sample = SampleApp.Start(SampleApp.PortZero);

        Match h2c = await sample.WaitForLineAsync(new Regex(@"'h2c' listening on (?<url>http://127\.0\.0\.1:\d+)"), ExitTimeout);
        Match h2 = await sample.WaitForLineAsync(new Regex(@"'h2' listening on (?<url>https://127\.0\.0\.1:\d+)"), ExitTimeout);
        Assert.DoesNotMatch(@":(8080|8443)\b", h2c.Value + h2.Value);

        ToolResult plain = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "10", "--http2-prior-knowledge", "-w", "%{http_version}", h2c.Groups["url"].Value + "/"], TimeSpan.FromSeconds(20));
        Assert.True(plain.ExitCode == 0, plain.Describe() + "\n" + sample.Output);
        Assert.Equal("Hello World\n2", plain.StdOut);

        ToolResult tls = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "10", "-k", "--http2", "-w", "%{http_version}", h2.Groups["url"].Value + "/"], TimeSpan.FromSeconds(20));
        Assert.True(tls.ExitCode == 0, tls.Describe() + "\n" + sample.Output);
        Assert.Equal("Hello World\n2", tls.StdOut);

        ToolResult term = await ExternalTool.RunAsync(kill, ["-TERM", sample.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.True(term.ExitCode == 0, term.Describe());
        Assert.True(await sample.WaitForExitAsync(TimeSpan.FromSeconds(10)), "the sample did not exit within 10 s of SIGTERM:\n" + sample.Output);
        Assert.True(sample.ExitCode == 0, $"exit code {sample.ExitCode} after SIGTERM:\n{sample.Output}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string[] NonEmptyLines(string text) => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static async Task AssertServesHttp2Async(string url, RunningSample sample)
    {
        ToolResult plain = await ExternalTool.RunAsync(ExternalTool.Curl(), ["-sS", "--max-time", "10", "--http2-prior-knowledge", "-w", "%{http_version}", url + "/"], TimeSpan.FromSeconds(20));
        Assert.True(plain.ExitCode == 0, plain.Describe() + "\n" + sample.Output);
        Assert.Equal("Hello World\n2", plain.StdOut);
    }

    private static void AssertConfigurationError(ToolResult result, string key, string detail)
    {
        Assert.True(result.ExitCode != 0, "expected a non-zero exit code\n" + result.Describe());
        string[] lines = [.. (result.StdErr + "\n" + result.StdOut).Split('\n').Select(l => l.Trim())];
        string[] naming = [.. lines.Where(l => l.StartsWith(key + ":", StringComparison.Ordinal))];
        Assert.True(naming.Length == 1, $"expected exactly one line starting with '{key}:'\n{result.Describe()}");
        Assert.Contains(detail, naming[0]);
        Assert.DoesNotContain("Unhandled exception", result.StdErr);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal)); // no stack trace for a settings mistake
    }
}
