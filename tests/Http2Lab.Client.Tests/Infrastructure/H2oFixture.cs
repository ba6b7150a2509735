using System.Globalization;

namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// h2o (Debian h2o) on 127.0.0.1 serving <see cref="ServerFiles"/> over h2c (prior knowledge) and TLS from one process,
/// with gzip compression on. Started on first use; a missing h2o fails only the tests that need it.
/// </summary>
public sealed class H2oFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ExternalServer? _server;
    private ServerFiles? _files;
    private Uri? _h2c;
    private Uri? _h2;

    public async Task<Uri> UrlAsync(bool tls)
    {
        await _gate.WaitAsync();
        try
        {
            if (_h2c is null)
            {
                string h2o = ExternalTool.Require("h2o", "h2o");
                _files = await ServerFiles.CreateAsync();
                int h2cPort = ExternalTool.FreePort(), tlsPort = ExternalTool.FreePort();
                string config = Path.Combine(_files.Root, "h2o.conf");
                await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
                    listen:
                      host: 127.0.0.1
                      port: {h2cPort}
                    listen:
                      host: 127.0.0.1
                      port: {tlsPort}
                      ssl:
                        certificate-file: {_files.CertificatePath}
                        key-file: {_files.KeyPath}
                    hosts:
                      default:
                        paths:
                          /:
                            file.dir: {_files.DocumentRoot}
                        compress: [gzip]
                    """));
                _server = await ExternalServer.StartAsync(h2o, ["-c", config], h2cPort, "h2o");
                await ExternalTool.WaitForPortAsync(tlsPort, null, "h2o (TLS)", () => "");
                (_h2c, _h2) = (new Uri($"http://127.0.0.1:{h2cPort}/"), new Uri($"https://127.0.0.1:{tlsPort}/"));
            }
        }
        finally
        {
            _gate.Release();
        }

        return tls ? _h2! : _h2c!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _files?.Dispose();
        _gate.Dispose();
        return Task.CompletedTask;
    }
}
