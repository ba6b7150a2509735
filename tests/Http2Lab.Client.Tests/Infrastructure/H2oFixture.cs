using System.Globalization;

namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>h2o (Debian h2o), one process with an h2c and a TLS listener, with gzip compression on.</summary>
public sealed class H2oFixture : ExternalServerFixture
{
    protected override async Task<(Uri H2c, Uri Tls)> StartAsync(ServerFiles files, List<ExternalServer> started)
    {
        string h2o = ExternalTool.Require("h2o", "h2o");
        int h2cPort = ExternalTool.FreePort(), tlsPort = ExternalTool.FreePort();
        string config = Path.Combine(files.Root, "h2o.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            listen:
              host: 127.0.0.1
              port: {h2cPort}
            listen:
              host: 127.0.0.1
              port: {tlsPort}
              ssl:
                certificate-file: {files.CertificatePath}
                key-file: {files.KeyPath}
            hosts:
              default:
                paths:
                  /:
                    file.dir: {files.DocumentRoot}
                compress: [gzip]
            """));
        started.Add(await ExternalServer.StartAsync(h2o, ["-c", config], h2cPort, "h2o"));
        await ExternalTool.WaitForPortAsync(tlsPort, null, "h2o (TLS)", () => "");
        return (new Uri($"http://127.0.0.1:{h2cPort}/"), new Uri($"https://127.0.0.1:{tlsPort}/"));
    }
}
