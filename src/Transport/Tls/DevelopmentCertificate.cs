using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tls;

/// <summary>
/// A self-signed certificate for <c>localhost</c>, created once per process, for https endpoints that do not
/// configure a certificate. Clients must trust it explicitly (for example by pinning its thumbprint).
/// </summary>
internal static class DevelopmentCertificate
{
    /// <summary>The subject of the development certificate.</summary>
    public const string Subject = "CN=localhost";

    private const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    private static readonly Lazy<X509Certificate2> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide development certificate (created on first use; do not dispose it).</summary>
    public static X509Certificate2 Get() => Instance.Value;

    /// <summary>The SHA-256 thumbprint of <paramref name="certificate"/> as uppercase hex, as shown in logs.</summary>
    /// <param name="certificate">Any certificate.</param>
    public static string Sha256Thumbprint(X509Certificate2 certificate) =>
        certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject, key, HashAlgorithmName.SHA256);

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid(ServerAuthenticationOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        // Back-dated a little so clients with a slightly slow clock accept it.
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(365));

        // Round-trip through PKCS#12 so the private key is a persisted one SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
