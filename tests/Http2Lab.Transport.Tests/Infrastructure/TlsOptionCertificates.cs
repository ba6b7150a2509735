using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>
/// Certificates for the optional TLS settings, as PEM files in a private temp directory (deleted on dispose): a
/// client certificate authority and a client certificate it issued, a client certificate nobody issued, and server
/// certificates for SNI names.
/// </summary>
public sealed class TlsOptionCertificates : IDisposable
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public TlsOptionCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("http2lab-tls-options-").FullName;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=http2lab test client CA", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var authority = authorityRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        ClientAuthorityPem = Write("client-ca.pem", authority.ExportCertificatePem());

        TrustedClient = Issue("CN=trusted client", authority, ClientAuthentication, dnsName: null, out var trustedKey);
        TrustedClientPem = Write("client.pem", TrustedClient.ExportCertificatePem());
        TrustedClientKeyPem = Write("client-key.pem", trustedKey);
        StrangerClient = Issue("CN=stranger", issuer: null, ClientAuthentication, dnsName: null, out var strangerKey);
        StrangerClientPem = Write("stranger.pem", StrangerClient.ExportCertificatePem());
        StrangerClientKeyPem = Write("stranger-key.pem", strangerKey);
    }

    public string Directory { get; }

    public string ClientAuthorityPem { get; }

    public X509Certificate2 TrustedClient { get; }

    public string TrustedClientPem { get; }

    public string TrustedClientKeyPem { get; }

    public X509Certificate2 StrangerClient { get; }

    public string StrangerClientPem { get; }

    public string StrangerClientKeyPem { get; }

    /// <summary>A self-signed server certificate for <paramref name="dnsName"/>: its PEM certificate and key paths and its thumbprint.</summary>
    public (string Certificate, string Key, string Thumbprint) Server(string dnsName)
    {
        using var certificate = Issue($"CN={dnsName}", issuer: null, ServerAuthentication, dnsName, out var key);
        string file = dnsName.Replace('*', '_');
        return (Write($"{file}.pem", certificate.ExportCertificatePem()), Write($"{file}-key.pem", key), certificate.Thumbprint);
    }

    public void Dispose()
    {
        TrustedClient.Dispose();
        StrangerClient.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static X509Certificate2 Issue(string subject, X509Certificate2? issuer, string usage, string? dnsName, out string keyPem)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (dnsName is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(29);
        keyPem = key.ExportPkcs8PrivateKeyPem();
        if (issuer is null)
        {
            using var selfSigned = request.CreateSelfSigned(notBefore, notAfter);
            return X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
        }

        using var issued = request.Create(issuer, notBefore, notAfter, RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12, so the key is one SslStream can present as a client certificate.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
