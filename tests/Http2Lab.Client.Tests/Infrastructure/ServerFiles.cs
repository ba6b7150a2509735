using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// A temporary directory for an external server: <c>htdocs/</c> with <c>hello.txt</c>, <c>text.txt</c> (compressible)
/// and <c>big.bin</c> (100 MB of <see cref="BytesPattern"/>), and a self-signed certificate for localhost as PEM files.
/// Readable by everyone: h2o started as root serves as <c>nobody</c>.
/// </summary>
public sealed class ServerFiles : IDisposable
{
    public const long BigSize = 100L * 1000 * 1000;
    public const string Hello = "hello from the external server\n";
    public static readonly string Text = string.Concat(Enumerable.Repeat("compressible text for gzip, ", 400));

    private ServerFiles(string root)
    {
        Root = root;
    }

    public string Root { get; }

    public string DocumentRoot => Path.Combine(Root, "htdocs");

    public string KeyPath => Path.Combine(Root, "key.pem");

    public string CertificatePath => Path.Combine(Root, "cert.pem");

    public static async Task<ServerFiles> CreateAsync()
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        var files = new ServerFiles(Directory.CreateTempSubdirectory("http2lab-client-").FullName);
        Directory.CreateDirectory(files.DocumentRoot);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(files.Root, Readable);
            File.SetUnixFileMode(files.DocumentRoot, Readable);
        }

        await File.WriteAllTextAsync(Path.Combine(files.DocumentRoot, "hello.txt"), Hello);
        await File.WriteAllTextAsync(Path.Combine(files.DocumentRoot, "text.txt"), Text);
        await using (FileStream big = File.Create(Path.Combine(files.DocumentRoot, "big.bin")))
        {
            for (long written = 0; written < BigSize;)
            {
                int n = (int)Math.Min(BytesPattern.BlockSize, BigSize - written);
                await big.WriteAsync(BytesPattern.Block.AsMemory(0, n));
                written += n;
            }
        }

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        await File.WriteAllTextAsync(files.KeyPath, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(files.CertificatePath, certificate.ExportCertificatePem());
        return files;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
