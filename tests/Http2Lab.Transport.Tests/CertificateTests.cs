using System.Net.Security;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Http2Lab.Transport.Tls;

namespace Http2Lab.Transport.Tests;

/// <summary>Loading configured server certificates, and the errors an operator sees when one is wrong.</summary>
public sealed class CertificateTests(TestCertificates files) : IClassFixture<TestCertificates>
{
    private const string Key = "Http2Lab:Endpoints:h2:Certificate";
    private readonly TestCertificates _files = files;

    [Fact]
    public void Pem_certificate_with_separate_key_loads_with_its_private_key()
    {
        using var certificate = ServerCertificateLoader.Load(new CertificateOptions { Path = _files.PemCertificate, KeyPath = _files.PemKey }, Key);

        Assert.Equal(_files.Thumbprint, certificate.Thumbprint);
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Pem_file_holding_certificate_and_key_loads()
    {
        using var certificate = ServerCertificateLoader.Load(new CertificateOptions { Path = _files.PemCombined }, Key);

        Assert.Equal(_files.Thumbprint, certificate.Thumbprint);
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Encrypted_pem_key_loads_with_its_password()
    {
        using var certificate = ServerCertificateLoader.Load(
            new CertificateOptions { Path = _files.PemCertificate, KeyPath = _files.EncryptedPemKey, Password = TestCertificates.Password }, Key);

        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Relative_paths_are_found_in_the_content_root_whatever_the_current_directory()
    {
        var environment = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = _files.Directory };
        var loader = new ServerCertificateLoader(Microsoft.Extensions.Logging.Abstractions.NullLogger<ServerCertificateLoader>.Instance, environment);
        var endpoint = new EndpointOptions { Certificate = new CertificateOptions { Path = "cert.pem", KeyPath = "key.pem" } };
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "cert.pem"))); // not found by accident

        using var certificate = loader.GetCertificate("Http2Lab:Endpoints:h2", endpoint);

        Assert.Equal(_files.Thumbprint, certificate.Thumbprint);
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Pfx_loads_with_its_password()
    {
        using var certificate = ServerCertificateLoader.Load(new CertificateOptions { Path = _files.Pfx, Password = TestCertificates.Password }, Key);

        Assert.Equal(_files.Thumbprint, certificate.Thumbprint);
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Wrong_pfx_password_names_the_password_key_and_the_file()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(new CertificateOptions { Path = _files.Pfx, Password = "wrong" }, Key));

        Assert.Equal($"{Key}:Password", error.Key);
        Assert.Equal($"{Key}:Password: the password does not open '{_files.Pfx}'", error.Message);
    }

    [Fact]
    public void Missing_pfx_password_names_the_password_key()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(new CertificateOptions { Path = _files.Pfx }, Key));

        Assert.Equal($"{Key}:Password", error.Key);
    }

    [Fact]
    public void Missing_certificate_file_names_the_path_key()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(new CertificateOptions { Path = _files.Missing }, Key));

        Assert.Equal($"{Key}:Path", error.Key);
        Assert.Equal($"{Key}:Path: the file '{_files.Missing}' does not exist", error.Message);
    }

    [Fact]
    public void Missing_key_file_names_the_key_path_key()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(new CertificateOptions { Path = _files.PemCertificate, KeyPath = _files.Missing }, Key));

        Assert.Equal($"{Key}:KeyPath", error.Key);
    }

    [Fact]
    public void A_file_that_is_no_certificate_names_the_path_key()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(new CertificateOptions { Path = _files.Garbage }, Key));

        Assert.Equal($"{Key}:Path", error.Key);
        Assert.Contains(_files.Garbage, error.Message);
    }

    [Fact]
    public void A_key_that_does_not_match_the_certificate_names_the_key_path_key()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(new CertificateOptions { Path = _files.PemCertificate, KeyPath = _files.OtherKey }, Key));

        Assert.Equal($"{Key}:KeyPath", error.Key);
    }

    [Fact]
    public void Wrong_password_for_an_encrypted_pem_key_names_the_password_key()
    {
        var error = Assert.Throws<Http2LabConfigurationException>(() =>
            ServerCertificateLoader.Load(
                new CertificateOptions { Path = _files.PemCertificate, KeyPath = _files.EncryptedPemKey, Password = "wrong" }, Key));

        Assert.Equal($"{Key}:Password", error.Key);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task A_configured_certificate_is_the_one_tls_clients_see(string kind)
    {
        var certificate = kind == "pem"
            ? new Dictionary<string, string?> { ["Http2Lab:Endpoints:h2:Certificate:Path"] = _files.PemCertificate, ["Http2Lab:Endpoints:h2:Certificate:KeyPath"] = _files.PemKey }
            : new Dictionary<string, string?> { ["Http2Lab:Endpoints:h2:Certificate:Path"] = _files.Pfx, ["Http2Lab:Endpoints:h2:Certificate:Password"] = TestCertificates.Password };
        var host = TransportTestHost.BuildSingle("h2", "https://127.0.0.1:0", extra: certificate);
        try
        {
            var url = await TransportTestHost.StartAsync(host, "h2");

            var (client, tls) = await TlsTestClient.ConnectPinnedAsync(url, _files.Thumbprint, SslApplicationProtocol.Http2);
            await using var _ = client;
            Assert.Equal(default, tls.NegotiatedApplicationProtocol); // echo needs no ALPN
            await client.SendAsync("pinned\n");
            Assert.Equal("pinned", await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }
}
