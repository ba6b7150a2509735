using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Http2Lab.Transport.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// The self-signed development certificate stands in for a missing one only in the Development environment; elsewhere
/// an https endpoint without a certificate is a configuration error naming the endpoint's Certificate key.
/// </summary>
public sealed class DevelopmentCertificateEnvironmentTests(TestCertificates files) : IClassFixture<TestCertificates>
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_Development_an_https_endpoint_without_a_certificate_is_refused_naming_its_key(string environment)
    {
        var (exitCode, lines) = await RunAsync(environment, TlsEndpoint());

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        string line = Assert.Single(lines);
        Assert.StartsWith("Http2Lab:Endpoints:tls:Certificate: no certificate is configured", line);
        Assert.Contains($"'{environment}'", line);
    }

    [Fact]
    public async Task Outside_Development_an_https_url_from_urls_is_refused_naming_urls()
    {
        var (exitCode, lines) = await RunAsync("Production", new() { ["urls"] = "https://127.0.0.1:0" });

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        // (The Http2 protocol that urls endpoints use is not registered in this assembly: that is a line of its own.)
        Assert.Contains(lines, l => l.StartsWith("urls: 'https://127.0.0.1:0' needs a certificate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outside_Development_a_configured_certificate_is_served()
    {
        var settings = TlsEndpoint();
        settings["Http2Lab:Endpoints:tls:Certificate:Path"] = files.PemCertificate;
        settings["Http2Lab:Endpoints:tls:Certificate:KeyPath"] = files.PemKey;
        var host = TransportTestHost.Build(settings, environment: "Production");
        try
        {
            var url = await TransportTestHost.StartAsync(host, "tls");
            var (client, tls) = await TlsTestClient.ConnectPinnedAsync(url, files.Thumbprint);
            await using (client)
            {
                Assert.True(tls.IsAuthenticated);
            }
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task In_Development_an_https_endpoint_without_a_certificate_serves_the_development_certificate()
    {
        var host = TransportTestHost.Build(TlsEndpoint(), environment: "Development");
        try
        {
            var url = await TransportTestHost.StartAsync(host, "tls");
            var (client, tls) = await TlsTestClient.ConnectPinnedAsync(url, DevelopmentCertificate.Get().Thumbprint);
            await using (client)
            {
                Assert.Equal(DevelopmentCertificate.Subject, tls.RemoteCertificate!.Subject);
            }
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public void The_certificate_loader_refuses_the_development_certificate_without_a_Development_environment()
    {
        // A host that never validated its options still does not serve the development certificate in production.
        var loader = new ServerCertificateLoader(NullLogger<ServerCertificateLoader>.Instance);

        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            loader.GetCertificate("Http2Lab:Endpoints:tls", new EndpointOptions { Url = "https://127.0.0.1:0" }));

        Assert.Equal("Http2Lab:Endpoints:tls:Certificate", error.Key);
    }

    private static Dictionary<string, string?> TlsEndpoint() => new()
    {
        ["Http2Lab:Endpoints:tls:Url"] = "https://127.0.0.1:0",
        ["Http2Lab:Endpoints:tls:Protocol"] = "Echo",
    };

    private static async Task<(int ExitCode, List<string> Lines)> RunAsync(
        string environment, Dictionary<string, string?> settings)
    {
        using var host = TransportTestHost.Build(settings, environment: environment);
        var error = new StringWriter();

        var exitCode = await Http2LabHostRunner.RunAsync(host, error).WaitAsync(TransportTestHost.Timeout);

        return (exitCode, error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList());
    }
}
