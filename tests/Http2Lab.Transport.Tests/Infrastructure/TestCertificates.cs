using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>Writes certificate files (PEM, PFX) into a private temp directory, deleted on dispose.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Directory = Path.Combine(Path.GetTempPath(), "http2lab-certs-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=http2lab-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Thumbprint = certificate.Thumbprint;

        PemCertificate = Write("cert.pem", certificate.ExportCertificatePem());
        PemKey = Write("key.pem", key.ExportPkcs8PrivateKeyPem());
        PemCombined = Write("combined.pem", certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        EncryptedPemKey = Write("key-encrypted.pem", key.ExportEncryptedPkcs8PrivateKeyPem(
            Password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)));
        Pfx = Path.Combine(Directory, "cert.pfx");
        File.WriteAllBytes(Pfx, certificate.Export(X509ContentType.Pkcs12, Password));
        Garbage = Write("garbage.pfx", "this is not a certificate");

        using var otherKey = RSA.Create(2048);
        OtherKey = Write("other-key.pem", otherKey.ExportPkcs8PrivateKeyPem());
    }

    public const string Password = "s3cret!";

    public string Directory { get; }

    public string Thumbprint { get; }

    public string PemCertificate { get; }

    public string PemKey { get; }

    public string PemCombined { get; }

    public string EncryptedPemKey { get; }

    public string Pfx { get; }

    public string Garbage { get; }

    public string OtherKey { get; }

    public string Missing => Path.Combine(Directory, "does-not-exist.pem");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
