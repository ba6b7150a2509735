using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
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
    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-tls-curl-").FullName;

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
        var (authority, client, clientKey) = ClientCertificates();
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
    }

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    public async Task Sni_names_get_their_certificates_and_others_the_endpoint_certificate(string dispatcher)
    {
        var (exactCertificate, exactKey) = ServerCertificate("a.example");
        var (wildcardCertificate, wildcardKey) = ServerCertificate("*.example");
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

    public void Dispose() => Directory.Delete(_directory, recursive: true);

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

    private (string Certificate, string Key) ServerCertificate(string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string name = dnsName.Replace('*', '_');
        return (Write($"{name}.pem", certificate.ExportCertificatePem()), Write($"{name}-key.pem", key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>A client certificate authority (PEM) and a client certificate (PEM + key) it issued.</summary>
    private (string Authority, string Client, string ClientKey) ClientCertificates()
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=curl test client CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using X509Certificate2 authority = authorityRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=curl client", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 client = clientRequest.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));

        return (Write("client-ca.pem", authority.ExportCertificatePem()), Write("client.pem", client.ExportCertificatePem()),
            Write("client-key.pem", clientKey.ExportPkcs8PrivateKeyPem()));
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
