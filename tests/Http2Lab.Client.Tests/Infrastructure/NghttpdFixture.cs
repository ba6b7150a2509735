namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// nghttpd (Debian nghttp2-server), one process for h2c and one for TLS; POST bodies are echoed (<c>--echo-upload</c>)
/// and every response ends with the trailer <c>x-nghttpd: done</c>.
/// </summary>
public sealed class NghttpdFixture : ExternalServerFixture
{
    protected override async Task<(Uri H2c, Uri Tls)> StartAsync(ServerFiles files, List<ExternalServer> started)
    {
        string nghttpd = ExternalTool.Require("nghttpd", "nghttp2-server");
        string[] common = ["-a", "127.0.0.1", "-d", files.DocumentRoot, "--echo-upload", "--trailer=x-nghttpd: done"];
        int h2cPort = ExternalTool.FreePort();
        started.Add(await ExternalServer.StartAsync(nghttpd, [.. common, "--no-tls", h2cPort.ToString()], h2cPort, "nghttpd (h2c)"));
        int tlsPort = ExternalTool.FreePort();
        started.Add(await ExternalServer.StartAsync(nghttpd, [.. common, tlsPort.ToString(), files.KeyPath, files.CertificatePath], tlsPort, "nghttpd (TLS)"));
        return (new Uri($"http://127.0.0.1:{h2cPort}/"), new Uri($"https://127.0.0.1:{tlsPort}/"));
    }
}
