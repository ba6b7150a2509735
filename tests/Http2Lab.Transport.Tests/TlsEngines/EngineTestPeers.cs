using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Tls;

namespace Http2Lab.Transport.Tests.TlsEngines;

/// <summary>Server certificates (ECDSA: the development certificate; RSA) and client options that trust exactly them.</summary>
internal static class EngineTestPeers
{
    private static readonly Lazy<X509Certificate2> RsaInstance = new(CreateRsa);

    public static X509Certificate2 Ecdsa => DevelopmentCertificate.Get();

    public static X509Certificate2 Rsa => RsaInstance.Value;

    public static SslClientAuthenticationOptions Client(
        X509Certificate2 server, SslProtocols protocols, params SslApplicationProtocol[] alpn) => new()
    {
        TargetHost = "localhost",
        EnabledSslProtocols = protocols,
        ApplicationProtocols = alpn.Length == 0 ? null : [.. alpn],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is X509Certificate2 certificate && certificate.Thumbprint == server.Thumbprint,
    };

    public static SslClientAuthenticationOptions Client(params SslApplicationProtocol[] alpn) =>
        Client(Ecdsa, SslProtocols.None, alpn);

    private static X509Certificate2 CreateRsa()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
