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
