using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Client.Connection;

/// <summary>
/// Opens the transport of a connection: TCP, then for https TLS 1.2+ with SNI and ALPN offering only <c>h2</c>
/// (RFC 9113 §3.2: a server that selects anything else, or nothing, does not speak HTTP/2 to us); for http, HTTP/2
/// with prior knowledge (§3.3).
/// </summary>
internal static class ClientConnector
{
    public static async Task<Http2ClientConnection> ConnectAsync(Uri origin, Http2ClientOptions options, CancellationToken cancellationToken)
    {
        (Socket socket, Stream transport) = await OpenTransportAsync(origin, options, cancellationToken).ConfigureAwait(false);
        return new Http2ClientConnection(socket, transport, origin.Scheme, origin.Authority, options);
    }

    /// <summary>The connected socket and the stream to speak HTTP/2 on (the TLS stream over https).</summary>
    public static async Task<(Socket Socket, Stream Transport)> OpenTransportAsync(Uri origin, Http2ClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        string host = origin.IdnHost;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? transport = null;
        try
        {
            EndPoint endPoint = IPAddress.TryParse(host, out IPAddress? address)
                ? new IPEndPoint(address, origin.Port)
                : new DnsEndPoint(host, origin.Port);
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            transport = new NetworkStream(socket, ownsSocket: false);
            string description = "h2c (prior knowledge)";
            if (origin.Scheme == "https")
            {
                var tls = new SslStream(transport, leaveInnerStreamOpen: false);
                transport = tls;
                try
                {
                    await tls.AuthenticateAsClientAsync(TlsOptions(host, options), timeout.Token).ConfigureAwait(false);
                }
                catch (AuthenticationException ex)
                {
                    // A server that speaks no h2 may end the handshake with no_application_protocol (RFC 7301 §3.2).
                    throw new Http2ClientException($"the TLS handshake with {origin.Authority} failed (offering ALPN 'h2' only): {ex.Message}", ex);
                }

                if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
                {
                    string selected = tls.NegotiatedApplicationProtocol.Protocol.IsEmpty ? "none" : tls.NegotiatedApplicationProtocol.ToString();
                    throw new Http2ClientException($"{origin.Authority} did not select ALPN 'h2' (selected: {selected}); it does not speak HTTP/2 over TLS (RFC 9113 §3.2)");
                }

                description = $"{tls.SslProtocol}, ALPN h2";
            }

            ClientLog.Connected(options.Logger ?? NullLogger.Instance, origin.Authority, description);
            return (socket, transport);
        }
        catch (Exception ex)
        {
            transport?.Dispose();
            socket.Dispose();
            if (ex is Http2ClientException)
            {
                throw;
            }

            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new Http2ClientException($"connecting to {origin.Authority} timed out after {options.ConnectTimeout.TotalSeconds} s", ex);
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            throw new Http2ClientException($"cannot connect to {origin.Authority}: {ex.Message}", ex);
        }
    }

    private static SslClientAuthenticationOptions TlsOptions(string host, Http2ClientOptions options) => new()
    {
        TargetHost = host, // SNI (not sent for an IP address, RFC 6066 §3)
        ApplicationProtocols = [SslApplicationProtocol.Http2],
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        RemoteCertificateValidationCallback = options.CertificateValidation
            ?? (options.ValidateCertificate ? null : static (_, _, _, _) => true),
    };
}
