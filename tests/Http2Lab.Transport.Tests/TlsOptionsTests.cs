using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// The optional TLS settings of an https endpoint (SslProtocols, ClientCertificateMode with ClientCertificateAuthorities,
/// Sni), over real sockets on every TLS path: SslStream in the Async middleware and the blocking dispatchers, and the
/// Poll loop's memory-buffer engines (OpenSSL and SslStream). The echo protocol behind TLS shows a connection works.
/// </summary>
public sealed class TlsOptionsTests(TlsOptionCertificates certificates) : IClassFixture<TlsOptionCertificates>
{
    public static TheoryData<string, string> TlsPaths => new()
    {
        { "Async", "" }, { "SingleClient", "" }, { "ThreadPerConnection", "" }, { "Poll", "OpenSsl" }, { "Poll", "SslStream" },
    };

    [Theory]
    [MemberData(nameof(TlsPaths))]
    public async Task SslProtocols_Tls12_refuses_a_TLS_1_3_only_client_and_negotiates_TLS_1_2(string dispatcher, string engine)
    {
        await using var server = await StartAsync(dispatcher, engine, new() { ["SslProtocols:0"] = "Tls12" });

        Assert.False((await ExchangeAsync(server.Url, Client(SslProtocols.Tls13))).Echoed);
        var both = await ExchangeAsync(server.Url, Client(SslProtocols.Tls12 | SslProtocols.Tls13));
        Assert.True(both.Echoed, both.Error);
        Assert.Equal(SslProtocols.Tls12, both.Protocol);
    }

    [Theory]
    [MemberData(nameof(TlsPaths))]
    public async Task SslProtocols_Tls13_refuses_a_TLS_1_2_only_client(string dispatcher, string engine)
    {
        await using var server = await StartAsync(dispatcher, engine, new() { ["SslProtocols:0"] = "Tls13" });

        Assert.False((await ExchangeAsync(server.Url, Client(SslProtocols.Tls12))).Echoed);
        var both = await ExchangeAsync(server.Url, Client(SslProtocols.Tls12 | SslProtocols.Tls13));
        Assert.True(both.Echoed, both.Error);
        Assert.Equal(SslProtocols.Tls13, both.Protocol);
    }

    [Theory]
    [MemberData(nameof(TlsPaths))]
    public async Task RequireCertificate_serves_a_client_certificate_from_the_authorities_and_refuses_none_or_a_stranger(string dispatcher, string engine)
    {
        await using var server = await StartAsync(dispatcher, engine, new()
        {
            ["ClientCertificateMode"] = "RequireCertificate",
            ["ClientCertificateAuthorities"] = certificates.ClientAuthorityPem,
        });

        var trusted = await ExchangeAsync(server.Url, Client(clientCertificate: certificates.TrustedClient));
        Assert.True(trusted.Echoed, trusted.Error);
        Assert.False((await ExchangeAsync(server.Url, Client())).Echoed);
        Assert.False((await ExchangeAsync(server.Url, Client(clientCertificate: certificates.StrangerClient))).Echoed);
    }

    [Theory]
    [MemberData(nameof(TlsPaths))]
    public async Task AllowCertificate_serves_a_client_without_one_but_refuses_a_stranger(string dispatcher, string engine)
    {
        await using var server = await StartAsync(dispatcher, engine, new()
        {
            ["ClientCertificateMode"] = "AllowCertificate",
            ["ClientCertificateAuthorities"] = certificates.ClientAuthorityPem,
        });

        var none = await ExchangeAsync(server.Url, Client());
        Assert.True(none.Echoed, none.Error);
        var trusted = await ExchangeAsync(server.Url, Client(clientCertificate: certificates.TrustedClient));
        Assert.True(trusted.Echoed, trusted.Error);
        Assert.False((await ExchangeAsync(server.Url, Client(clientCertificate: certificates.StrangerClient))).Echoed);
    }

    [Theory]
    [MemberData(nameof(TlsPaths))]
    public async Task Sni_picks_the_exact_name_then_the_wildcard_then_the_endpoint_certificate(string dispatcher, string engine)
    {
        var fallback = certificates.Server("fallback.test");
        var exact = certificates.Server("a.example");
        var wildcard = certificates.Server("*.example");
        await using var server = await StartAsync(dispatcher, engine, new()
        {
            ["Certificate:Path"] = fallback.Certificate,
            ["Certificate:KeyPath"] = fallback.Key,
            ["Sni:a.example:Certificate:Path"] = exact.Certificate,
            ["Sni:a.example:Certificate:KeyPath"] = exact.Key,
            ["Sni:*.example:Certificate:Path"] = wildcard.Certificate,
            ["Sni:*.example:Certificate:KeyPath"] = wildcard.Key,
        });

        Assert.Equal(exact.Thumbprint, await ServerThumbprintAsync(server.Url, "a.example"));
        Assert.Equal(wildcard.Thumbprint, await ServerThumbprintAsync(server.Url, "b.a.example"));
        Assert.Equal(wildcard.Thumbprint, await ServerThumbprintAsync(server.Url, "B.EXAMPLE"));
        Assert.Equal(fallback.Thumbprint, await ServerThumbprintAsync(server.Url, "example"));
        Assert.Equal(fallback.Thumbprint, await ServerThumbprintAsync(server.Url, "other.test"));
    }

    [Theory]
    [InlineData("SslProtocols:0", "Tls11", "Http2Lab:Endpoints:tls:SslProtocols:0: 'Tls11' is not a supported TLS version (Tls12, Tls13)")]
    [InlineData("ClientCertificateMode", "Sometimes", "Http2Lab:Endpoints:tls:ClientCertificateMode: 'Sometimes' is not a client certificate mode (NoCertificate, AllowCertificate, RequireCertificate)")]
    [InlineData("Sni:a.example:Certificate:KeyPath", "/k.pem", "Http2Lab:Endpoints:tls:Sni:a.example:Certificate:Path: no certificate file is configured (SNI entries need their own certificate)")]
    public async Task A_bad_tls_setting_is_one_line_naming_its_key(string setting, string value, string line)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:tls:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:tls:Protocol"] = "Echo",
            [$"Http2Lab:Endpoints:tls:{setting}"] = value,
        };
        using var host = TransportTestHost.Build(settings);
        var error = new StringWriter();

        int exitCode = await Http2LabHostRunner.RunAsync(host, error).WaitAsync(TransportTestHost.Timeout);

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Equal([line], error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Missing_client_certificate_authorities_are_reported_with_their_key()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:tls:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:tls:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:tls:ClientCertificateMode"] = "RequireCertificate",
            ["Http2Lab:Endpoints:tls:ClientCertificateAuthorities"] = Path.Combine(certificates.Directory, "nope.pem"),
        };
        using var host = TransportTestHost.Build(settings);
        var error = new StringWriter();

        int exitCode = await Http2LabHostRunner.RunAsync(host, error).WaitAsync(TransportTestHost.Timeout);

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.StartsWith("Http2Lab:Endpoints:tls:ClientCertificateAuthorities: the file ", Assert.Single(error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)));
    }

    private static async Task<RunningServer> StartAsync(string dispatcher, string engine, Dictionary<string, string?> endpoint)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Http2Lab:HandshakeTimeout"] = "00:00:05",
            ["Http2Lab:Endpoints:tls:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:tls:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:tls:Dispatcher"] = dispatcher,
        };
        if (engine.Length > 0)
        {
            settings["Http2Lab:Endpoints:tls:TlsEngine"] = engine;
            settings["Http2Lab:Endpoints:tls:Loops"] = "1";
        }

        foreach (var (key, value) in endpoint)
        {
            settings[$"Http2Lab:Endpoints:tls:{key}"] = value;
        }

        var host = TransportTestHost.Build(settings);
        try
        {
            return new RunningServer(host, await TransportTestHost.StartAsync(host, "tls"));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static SslClientAuthenticationOptions Client(
        SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13, X509Certificate2? clientCertificate = null, string host = "localhost") => new()
    {
        TargetHost = host,
        EnabledSslProtocols = protocols,
        ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, _, _, _) => true, // these tests are about the server's choices
    };

    /// <summary>
    /// Connects, handshakes and echoes one line. Refusals show either in the handshake or (TLS 1.3 client
    /// certificates, checked after the client's Finished) as the connection failing on the first read.
    /// </summary>
    private static async Task<Exchange> ExchangeAsync(Uri url, SslClientAuthenticationOptions options)
    {
        using var timeout = new CancellationTokenSource(TransportTestHost.Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", url.Port, timeout.Token);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsClientAsync(options, timeout.Token);
            await tls.WriteAsync("ping\r\n"u8.ToArray(), timeout.Token);
            var received = new StringBuilder();
            var buffer = new byte[64];
            while (!received.ToString().Contains("\r\n", StringComparison.Ordinal))
            {
                int read = await tls.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return new(false, tls.SslProtocol, "closed by the server");
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return new(received.ToString() == "ping\r\n", tls.SslProtocol, $"received '{received}'");
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException && !timeout.IsCancellationRequested)
        {
            return new(false, SslProtocols.None, ex.Message);
        }
    }

    private static async Task<string> ServerThumbprintAsync(Uri url, string hostName)
    {
        using var timeout = new CancellationTokenSource(TransportTestHost.Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", url.Port, timeout.Token);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(Client(host: hostName), timeout.Token);
        return tls.RemoteCertificate!.GetCertHashString();
    }

    private sealed record Exchange(bool Echoed, SslProtocols Protocol, string? Error);

    private sealed class RunningServer(Microsoft.Extensions.Hosting.IHost host, Uri url) : IAsyncDisposable
    {
        public Uri Url { get; } = url;

        public async ValueTask DisposeAsync() => await TransportTestHost.StopAndDisposeAsync(host);
    }
}
