using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Tls.Engines;
using Http2Lab.Transport.Tls.Engines.OpenSsl;

namespace Http2Lab.Transport.Tests.TlsEngines;

/// <summary>The engine contract for the OpenSSL engine, and what only it promises.</summary>
public sealed class OpenSslEngineTests : TlsEngineContract
{
    [Fact]
    public async Task A_client_offering_no_ALPN_is_refused_with_no_application_protocol_when_the_protocol_requires_it()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, [SslApplicationProtocol.Http2]);
        Task handshake = link.Client.AuthenticateAsClientAsync(EngineTestPeers.Client());
        await link.RunUntilAsync(handshake);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => handshake);
        Assert.Equal(TlsEngineState.Failed, link.Engine.State);
        Assert.Equal("no common ALPN protocol: the server requires 'h2', the client offered none", link.Engine.FailureReason);
        Assert.Contains("no application protocol", Messages(refused)); // the client saw the alert
    }

    [Fact]
    public async Task The_ALPN_refusal_names_what_the_client_offered()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, [SslApplicationProtocol.Http2]);
        Task handshake = link.Client.AuthenticateAsClientAsync(
            EngineTestPeers.Client(SslApplicationProtocol.Http11, new SslApplicationProtocol("spdy/3")));
        await link.RunUntilAsync(handshake);

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => handshake);
        Assert.Contains("no application protocol", Messages(refused));
        Assert.Equal(
            "no common ALPN protocol: the server requires 'h2', the client offered 'http/1.1', 'spdy/3'",
            link.Engine.FailureReason);
    }

    [Fact]
    public async Task A_garbled_record_after_the_handshake_fails_the_session_with_OpenSSLs_reason()
    {
        await using var link = await EstablishedAsync();
        link.Engine.FeedCiphertext([0x17, 0x03, 0x03, 0x00, 0x20, .. new byte[0x20]]); // application data that does not decrypt
        Assert.True(link.Engine.HasPlaintext);

        Assert.Equal(0, link.Engine.ReadPlaintext(new byte[100]));
        Assert.Equal(TlsEngineState.Failed, link.Engine.State);
        Assert.StartsWith("TLS record failed: error:", link.Engine.FailureReason);
        Assert.True(link.Engine.PendingCiphertext.Length > 0, "a bad_record_mac alert is queued for the client");
    }

    [Fact]
    public void A_certificate_without_a_private_key_is_refused()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(EngineTestPeers.Ecdsa.RawData);
        Assert.Throws<ArgumentException>(() => new OpenSslEngineFactory(publicOnly, []));
    }

    [Fact]
    public void The_factory_is_named_OpenSsl_and_creates_no_session_once_disposed()
    {
        var factory = new OpenSslEngineFactory(EngineTestPeers.Ecdsa, [SslApplicationProtocol.Http2]);
        Assert.Equal("OpenSsl", factory.Name);
        factory.Dispose();
        Assert.Throws<ObjectDisposedException>(() => factory.Create());
    }

    private static string Messages(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    private protected override ITlsEngineFactory CreateFactory(X509Certificate2 certificate, IReadOnlyList<SslApplicationProtocol> applicationProtocols) =>
        new OpenSslEngineFactory(certificate, applicationProtocols);
}
