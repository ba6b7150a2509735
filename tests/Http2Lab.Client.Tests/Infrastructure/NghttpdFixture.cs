using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// nghttpd (Debian nghttp2-server) on 127.0.0.1, h2c and TLS, serving a temporary document root: <c>/hello.txt</c> and
/// <c>/big.bin</c> (100 MB of <see cref="BytesPattern"/>); POST bodies are echoed (<c>--echo-upload</c>) and every
/// response ends with the trailer <c>x-nghttpd: done</c>. Started on first use, so a missing nghttpd fails only the
/// tests that need it.
/// </summary>
public sealed class NghttpdFixture : IAsyncLifetime
{
    public const long BigSize = 100L * 1000 * 1000;
    public const string Hello = "hello from nghttpd\n";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Process> _processes = [];
    private string? _root;

    public Uri? H2c { get; private set; }

    public Uri? H2 { get; private set; }

    /// <summary>The base URL of the h2c or TLS instance, starting nghttpd on first use.</summary>
    public async Task<Uri> UrlAsync(bool tls)
    {
        await _gate.WaitAsync();
        try
        {
            if (H2c is null)
            {
                await StartAsync();
            }
        }
        finally
        {
            _gate.Release();
        }

        return tls ? H2! : H2c!;
    }

    private async Task StartAsync()
    {
        string nghttpd = ExternalTool.Require("nghttpd", "nghttp2-server");
        _root = Directory.CreateTempSubdirectory("http2lab-nghttpd-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_root, "hello.txt"), Hello);
        await using (FileStream big = File.Create(Path.Combine(_root, "big.bin")))
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
        string keyPath = Path.Combine(_root, "key.pem"), certPath = Path.Combine(_root, "cert.pem");
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());

        string docroot = Path.Combine(_root, "htdocs");
        Directory.CreateDirectory(docroot);
        File.Move(Path.Combine(_root, "hello.txt"), Path.Combine(docroot, "hello.txt"));
        File.Move(Path.Combine(_root, "big.bin"), Path.Combine(docroot, "big.bin"));

        int h2cPort = ExternalTool.FreePort();
        await StartOneAsync(nghttpd, ["--no-tls", "-a", "127.0.0.1", "-d", docroot, "--echo-upload", "--trailer=x-nghttpd: done", h2cPort.ToString()], h2cPort, "nghttpd (h2c)");
        H2c = new Uri($"http://127.0.0.1:{h2cPort}/");
        int tlsPort = ExternalTool.FreePort();
        await StartOneAsync(nghttpd, ["-a", "127.0.0.1", "-d", docroot, "--echo-upload", "--trailer=x-nghttpd: done", tlsPort.ToString(), keyPath, certPath], tlsPort, "nghttpd (TLS)");
        H2 = new Uri($"https://127.0.0.1:{tlsPort}/");
    }

    private async Task StartOneAsync(string nghttpd, string[] arguments, int port, string what)
    {
        var start = new ProcessStartInfo(nghttpd) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {nghttpd}");
        _processes.Add(process);
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        await ExternalTool.WaitForPortAsync(port, process, what);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (Process process in _processes)
        {
            try
            {
                process.Kill();
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
        }

        _gate.Dispose();
        return Task.CompletedTask;
    }
}
