using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// The optional TLS settings of the sample's <c>h2</c> endpoint, set on its command line as a user would, checked with
/// curl (OpenSSL): allowed versions (<c>--tlsv1.2 --tls-max 1.2</c>), a required client certificate (<c>--cert</c>),
/// certificates by SNI name (<c>--resolve</c>) — on the Async dispatcher (SslStream) and the Poll loop (OpenSSL engine).
/// </summary>
public sealed class TlsOptionsCurlTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TestCertificates _certificates = new();

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    public async Task A_Tls13_only_endpoint_refuses_curl_limited_to_TLS_1_2_and_serves_it_over_TLS_1_3(string dispatcher)
    {
        using RunningSample sample = SampleApp.Start([.. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2:Dispatcher={dispatcher}", "--Http2Lab:Endpoints:h2:SslProtocols:0=Tls13"]);
        string url = await TlsUrlAsync(sample);

        ToolResult tls12 = await CurlAsync(["--tlsv1.2", "--tls-max", "1.2", url]);
        Assert.True(tls12.ExitCode != 0, "TLS 1.2 was accepted\n" + tls12.Describe());

        ToolResult tls13 = await CurlAsync(["--tlsv1.3", "-v", url]);
        Assert.True(tls13.ExitCode == 0, tls13.Describe() + "\n" + sample.Output);
        Assert.Equal("Hello World\n", tls13.StdOut);
        Assert.Contains("TLSv1.3", tls13.StdErr);
    }

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    public async Task RequireCertificate_serves_curl_with_a_client_certificate_of_the_authority_only(string dispatcher)
    {
        var (authority, client, clientKey, _) = _certificates.Client();
        using RunningSample sample = SampleApp.Start([
            .. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2:Dispatcher={dispatcher}",
            "--Http2Lab:Endpoints:h2:ClientCertificateMode=RequireCertificate", $"--Http2Lab:Endpoints:h2:ClientCertificateAuthorities={authority}",
        ]);
        string url = await TlsUrlAsync(sample);

        ToolResult without = await CurlAsync([url]);
        Assert.True(without.ExitCode != 0 && without.StdOut.Length == 0, "served without a client certificate\n" + without.Describe());

        ToolResult with = await CurlAsync(["--cert", client, "--key", clientKey, url]);
        Assert.True(with.ExitCode == 0, with.Describe() + "\n" + sample.Output);
        Assert.Equal("Hello World\n", with.StdOut);

        // The handler sees the certificate the client presented (Http2ConnectionInfo.ClientCertificate).
        ToolResult connection = await CurlAsync(["--cert", client, "--key", clientKey, url + "connection"]);
        Assert.True(connection.ExitCode == 0, connection.Describe());
        Assert.Contains("client certificate: CN=curl client\n", connection.StdOut);
    }

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    [InlineData("ThreadPerConnection")]
    public async Task AllowCertificate_tells_the_handler_whether_a_certificate_came_and_the_SNI_name(string dispatcher)
    {
        var (authority, client, clientKey, _) = _certificates.Client();
        using RunningSample sample = SampleApp.Start([
            .. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2:Dispatcher={dispatcher}",
            "--Http2Lab:Endpoints:h2:ClientCertificateMode=AllowCertificate", $"--Http2Lab:Endpoints:h2:ClientCertificateAuthorities={authority}",
        ]);
        int port = new Uri(await TlsUrlAsync(sample)).Port;
        string[] resolve = ["--resolve", $"lab.example:{port}:127.0.0.1"];
        string url = $"https://lab.example:{port}/connection";

        ToolResult without = await CurlAsync([.. resolve, url]);
        Assert.True(without.ExitCode == 0, without.Describe() + "\n" + sample.Output);
        Assert.Contains("client certificate: none\n", without.StdOut);
        Assert.Contains("sni: lab.example\n", without.StdOut);
        Assert.Contains("alpn: h2\n", without.StdOut);

        ToolResult with = await CurlAsync([.. resolve, "--cert", client, "--key", clientKey, url]);
        Assert.True(with.ExitCode == 0, with.Describe());
        Assert.Contains("client certificate: CN=curl client\n", with.StdOut);
    }

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    public async Task Sni_names_get_their_certificates_and_others_the_endpoint_certificate(string dispatcher)
    {
        var (exactCertificate, exactKey) = _certificates.Server("a.example");
        var (wildcardCertificate, wildcardKey) = _certificates.Server("*.example");
        using RunningSample sample = SampleApp.Start([
            .. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2:Dispatcher={dispatcher}",
            $"--Http2Lab:Endpoints:h2:Sni:a.example:Certificate:Path={exactCertificate}", $"--Http2Lab:Endpoints:h2:Sni:a.example:Certificate:KeyPath={exactKey}",
            $"--Http2Lab:Endpoints:h2:Sni:*.example:Certificate:Path={wildcardCertificate}", $"--Http2Lab:Endpoints:h2:Sni:*.example:Certificate:KeyPath={wildcardKey}",
        ]);
        int port = new Uri(await TlsUrlAsync(sample)).Port;

        Assert.Contains("CN=a.example", await ServedSubjectAsync("a.example", port));
        Assert.Contains("CN=*.example", await ServedSubjectAsync("b.example", port));
        Assert.Contains("CN=localhost", await ServedSubjectAsync("localhost", port)); // the development certificate
    }

    public void Dispose() => _certificates.Dispose();

    private static async Task<string> TlsUrlAsync(RunningSample sample) =>
        (await sample.WaitForLineAsync(new Regex(@"'h2' listening on (?<url>https://127\.0\.0\.1:\d+)"), Timeout)).Groups["url"].Value + "/";

    private static Task<ToolResult> CurlAsync(IEnumerable<string> arguments) =>
        ExternalTool.RunAsync(ExternalTool.Curl(), ["-sS", "--max-time", "10", "-k", "--http2", .. arguments], Timeout);

    /// <summary>The subject line curl -v prints for the server certificate it got when asking for <paramref name="hostName"/>.</summary>
    private static async Task<string> ServedSubjectAsync(string hostName, int port)
    {
        ToolResult result = await CurlAsync(["-v", "--resolve", $"{hostName}:{port}:127.0.0.1", $"https://{hostName}:{port}/"]);
        Assert.True(result.ExitCode == 0, result.Describe());
        return result.StdErr.Split('\n').FirstOrDefault(l => l.Contains("subject:", StringComparison.Ordinal)) ?? result.StdErr;
    }
}
