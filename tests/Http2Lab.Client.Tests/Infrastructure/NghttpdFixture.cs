namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// nghttpd (Debian nghttp2-server) on 127.0.0.1, h2c and TLS, serving <see cref="ServerFiles"/>; POST bodies are echoed
/// (<c>--echo-upload</c>) and every response ends with the trailer <c>x-nghttpd: done</c>. Started on first use, so a
/// missing nghttpd fails only the tests that need it.
/// </summary>
public sealed class NghttpdFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ExternalServer> _servers = [];
    private ServerFiles? _files;
    private Uri? _h2c;
    private Uri? _h2;

    /// <summary>The base URL of the h2c or TLS instance, starting nghttpd on first use.</summary>
    public async Task<Uri> UrlAsync(bool tls)
    {
        await _gate.WaitAsync();
        try
        {
            if (_h2c is null)
            {
                string nghttpd = ExternalTool.Require("nghttpd", "nghttp2-server");
                _files = await ServerFiles.CreateAsync();
                string[] common = ["-a", "127.0.0.1", "-d", _files.DocumentRoot, "--echo-upload", "--trailer=x-nghttpd: done"];
                int h2cPort = ExternalTool.FreePort();
                _servers.Add(await ExternalServer.StartAsync(nghttpd, [.. common, "--no-tls", h2cPort.ToString()], h2cPort, "nghttpd (h2c)"));
                int tlsPort = ExternalTool.FreePort();
                _servers.Add(await ExternalServer.StartAsync(nghttpd, [.. common, tlsPort.ToString(), _files.KeyPath, _files.CertificatePath], tlsPort, "nghttpd (TLS)"));
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
        _servers.ForEach(s => s.Dispose());
        _files?.Dispose();
        _gate.Dispose();
        return Task.CompletedTask;
    }
}
