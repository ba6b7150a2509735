using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Tls;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>Connects a TLS client that trusts exactly the process's development certificate.</summary>
public static class TlsTestClient
{
    public static Task<(LineClient Client, SslStream Tls)> ConnectAsync(Uri url, params SslApplicationProtocol[] alpn) =>
        ConnectPinnedAsync(url, DevelopmentCertificate.Get().Thumbprint, alpn);

    /// <summary>Connects trusting only the certificate with <paramref name="thumbprint"/> (SHA-1, as X509Certificate2.Thumbprint).</summary>
    public static async Task<(LineClient Client, SslStream Tls)> ConnectPinnedAsync(
        Uri url, string thumbprint, params SslApplicationProtocol[] alpn)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(TransportTestHost.Timeout);
        await socket.ConnectAsync("127.0.0.1", url.Port, timeout.Token);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        var client = new LineClient(socket, tls);
        try
        {
            await tls.AuthenticateAsClientAsync(Options(thumbprint, alpn), timeout.Token);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return (client, tls);
    }

    private static SslClientAuthenticationOptions Options(string thumbprint, SslApplicationProtocol[] alpn) => new()
    {
        TargetHost = "localhost",
        ApplicationProtocols = alpn.Length == 0 ? null : [.. alpn],
        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is X509Certificate2 presented
            && presented.Thumbprint == thumbprint,
    };
}
