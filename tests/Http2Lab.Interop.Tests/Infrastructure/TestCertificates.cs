using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// Certificates made for one test, as PEM files in a temporary folder deleted on dispose: server certificates for a
/// DNS name, and a client certificate authority with a client certificate it issued.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("http2lab-certificates-").FullName;

    /// <summary>A self-signed server certificate for <paramref name="dnsName"/> (PEM) and its key.</summary>
    public (string Certificate, string Key) Server(string dnsName)
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

    /// <summary>
    /// A client certificate authority (PEM), and a client certificate with subject <c>CN=<paramref name="clientName"/></c> it
    /// issued: as PEM files and as a certificate with its private key, for .NET clients.
    /// </summary>
    public (string Authority, string Client, string ClientKey, X509Certificate2 WithKey) Client(string clientName = "curl client")
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=test client CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using X509Certificate2 authority = authorityRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest($"CN={clientName}", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 client = clientRequest.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));

        string clientPem = Write("client.pem", client.ExportCertificatePem());
        string clientKeyPem = Write("client-key.pem", clientKey.ExportPkcs8PrivateKeyPem());
        return (Write("client-ca.pem", authority.ExportCertificatePem()), clientPem, clientKeyPem,
            X509Certificate2.CreateFromPemFile(clientPem, clientKeyPem));
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
