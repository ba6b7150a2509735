using System.Net.Security;
using System.Security.Authentication;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Echo;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Tests.Infrastructure;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Tests;

/// <summary>https:// endpoints: TLS with ALPN h2 and the development certificate, in front of the echo protocol.</summary>
public sealed class TlsEchoTests : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private IHost _host = null!;
    private Uri _echo = null!;
    private Uri _probe = null!;
    private Uri _plain = null!;

    public async Task InitializeAsync()
    {
        _host = TransportTestHost.Build(
            new Dictionary<string, string?>
            {
                ["Http2Lab:HandshakeTimeout"] = "00:00:01",
                ["Http2Lab:Endpoints:tls:Url"] = "https://127.0.0.1:0",
                ["Http2Lab:Endpoints:tls:Protocol"] = "H2Echo",
                ["Http2Lab:Endpoints:plain:Url"] = "https://127.0.0.1:0",
                ["Http2Lab:Endpoints:plain:Protocol"] = "Echo",
                ["Http2Lab:Endpoints:probe:Url"] = "https://localhost:0",
                ["Http2Lab:Endpoints:probe:Protocol"] = "Probe",
            },
            _log,
            services =>
            {
                // Echo, but over TLS only for clients that negotiate h2 (as HTTP/2 requires).
                services.AddHttp2LabProtocol("H2Echo", (_, _) => _ => new EchoProcessor(EchoMode.Lines, 16 * 1024), [SslApplicationProtocol.Http2]);
                services.AddHttp2LabProtocol("Probe", (_, _) => DescribeTls, [SslApplicationProtocol.Http2]);
            });
        await _host.StartAsync().WaitAsync(TransportTestHost.Timeout);
        var bound = (IBoundEndpoints)_host.Services.GetService(typeof(IBoundEndpoints))!;
        _echo = await bound.GetUrlAsync("tls").WaitAsync(TransportTestHost.Timeout);
        _probe = await bound.GetUrlAsync("probe").WaitAsync(TransportTestHost.Timeout);
        _plain = await bound.GetUrlAsync("plain").WaitAsync(TransportTestHost.Timeout);
    }

    public Task DisposeAsync() => TransportTestHost.StopAndDisposeAsync(_host);

    [Fact]
    public async Task A_client_offering_h2_negotiates_h2_and_gets_echoes()
    {
        var (client, tls) = await TlsTestClient.ConnectAsync(_echo, SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);
        await using var _ = client;

        Assert.Equal("https", _echo.Scheme);
        Assert.Equal(SslApplicationProtocol.Http2, tls.NegotiatedApplicationProtocol);
        Assert.True(tls.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Equal(DevelopmentCertificate.Subject, tls.RemoteCertificate!.Subject);

        await client.SendAsync("over tls\r\n");
        Assert.Equal("over tls", await client.ReadLineAsync());

        await client.SendAsync("quit\r\n");
        Assert.Equal("", await client.ReadToEndAsync()); // Clean TLS close, no exception.
    }

    [Fact]
    public async Task The_development_certificate_is_announced_once_with_its_thumbprint()
    {
        var thumbprint = DevelopmentCertificate.Sha256Thumbprint(DevelopmentCertificate.Get());
        var warning = $"Using a self-signed development certificate for localhost, SHA-256 thumbprint {thumbprint}";
        Assert.Single(_log.Messages, m => m == warning); // Two https endpoints, one announcement.
        Assert.Contains(_log.Entries, e => e.Message == warning && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);

        var certificate = DevelopmentCertificate.Get();
        Assert.True(certificate.HasPrivateKey);
        Assert.InRange(certificate.NotAfter - certificate.NotBefore, TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        var san = certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains(System.Net.IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
    }

    [Fact]
    public async Task The_protocol_sees_the_negotiated_alpn_and_cipher_through_a_feature()
    {
        var (client, _) = await TlsTestClient.ConnectAsync(_probe, SslApplicationProtocol.Http2);
        await using var __ = client;

        var line = await client.ReadLineAsync();

        Assert.NotNull(line);
        Assert.StartsWith("h2 ", line);
        Assert.Matches("^h2 Tls1[23] TLS_", line);
    }

    [Fact]
    public async Task A_client_offering_only_http11_is_refused_and_the_reason_is_logged()
    {
        var refused = false;
        try
        {
            var (client, _) = await TlsTestClient.ConnectAsync(_echo, SslApplicationProtocol.Http11);
            await using var _ = client;

            // If the TLS stack completes the handshake, the middleware must close before any echo.
            await client.SendAsync("should not echo\r\n");
            refused = await client.ReadLineAsync() is null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            refused = true;
        }

        Assert.True(refused);
        await _log.WaitForAsync(
            m => m.StartsWith("TLS client 127.0.0.1:") && m.EndsWith("did not negotiate ALPN 'h2' (offered 'http/1.1'); closing"),
            TransportTestHost.Timeout);
    }

    [Fact]
    public async Task A_client_offering_no_alpn_is_closed_without_echo()
    {
        var (client, _) = await TlsTestClient.ConnectAsync(_echo);
        await using var _ = client;

        try
        {
            await client.SendAsync("should not echo\r\n");
            Assert.Null(await client.ReadLineAsync());
        }
        catch (IOException)
        {
            // Also a refusal.
        }

        await _log.WaitForAsync(m => m.EndsWith("did not negotiate ALPN 'h2' (offered none); closing"), TransportTestHost.Timeout);
    }

    [Fact]
    public async Task A_client_that_never_completes_the_handshake_is_closed_after_the_timeout()
    {
        await using var silent = await LineClient.ConnectAsync(_echo);
        var started = DateTime.UtcNow;

        Assert.True(await silent.IsClosedByServerAsync());

        // The log line shows the handshake timeout closed it. No lower bound on the elapsed time: the server's
        // timer starts at accept, before this client's clock does, so such a bound is flaky (a timing figure).
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8), "the handshake timeout (1 s) did not close the connection");
        await _log.WaitForAsync(m => m.Contains("timed out after 1 s"), TransportTestHost.Timeout);
    }

    [Fact]
    public async Task Plaintext_sent_to_a_tls_endpoint_is_dropped_and_the_endpoint_keeps_working()
    {
        await using (var plain = await LineClient.ConnectAsync(_echo))
        {
            await plain.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.True(await plain.IsClosedByServerAsync());
        }

        var (client, _) = await TlsTestClient.ConnectAsync(_echo, SslApplicationProtocol.Http2);
        await using var _ = client;
        await client.SendAsync("ok\r\n");
        Assert.Equal("ok", await client.ReadLineAsync());
        Assert.DoesNotContain(_log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task The_echo_protocol_needs_no_alpn_over_tls()
    {
        var (client, tls) = await TlsTestClient.ConnectAsync(_plain);
        await using var _ = client;
        Assert.Equal(default, tls.NegotiatedApplicationProtocol);
        await client.SendAsync("no alpn\r\n");
        Assert.Equal("no alpn", await client.ReadLineAsync());
    }

    private static IConnectionProcessor DescribeTls(ProcessorContext context)
    {
        var tls = context.Features.Get<TlsHandshakeFeature>()!;
        return new ScriptedProcessor($"{tls.NegotiatedApplicationProtocol} {tls.Protocol} {tls.NegotiatedCipherSuite}\r\n", null);
    }
}
