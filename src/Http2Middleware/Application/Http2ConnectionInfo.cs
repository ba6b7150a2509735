using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Http2Lab.Transport.Processing;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Http2Lab.Http2.Application;

/// <summary>
/// The connection a request came on: its id, the addresses and, over TLS, what the handshake negotiated.
/// One object per connection, made when a handler first asks; every request of the connection shares it.
/// </summary>
public sealed class Http2ConnectionInfo
{
    private Http2ConnectionInfo(ProcessorContext context)
    {
        Id = context.ConnectionId;
        RemoteEndPoint = context.RemoteEndPoint;
        LocalEndPoint = context.LocalEndPoint;
        if (context.Features.Get<ITlsHandshakeFeature>() is { } tls)
        {
            IsTls = true;
            TlsProtocol = tls.Protocol;
            CipherSuite = tls.NegotiatedCipherSuite;
            HostName = string.IsNullOrEmpty(tls.HostName) ? null : tls.HostName;
        }

        ClientCertificate = context.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;

        if (context.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn && !alpn.ApplicationProtocol.IsEmpty)
        {
            ApplicationProtocol = Encoding.ASCII.GetString(alpn.ApplicationProtocol.Span);
        }
    }

    /// <summary>The connection id, as in the server's log lines.</summary>
    public string Id { get; }

    /// <summary>The client's address (an <see cref="IPEndPoint"/> for TCP), when known.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The server's address the client connected to, when known.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>Whether the connection is TLS.</summary>
    public bool IsTls { get; }

    /// <summary>The negotiated TLS version, e.g. <see cref="SslProtocols.Tls13"/>; <see cref="SslProtocols.None"/> without TLS.</summary>
    public SslProtocols TlsProtocol { get; }

    /// <summary>The negotiated cipher suite, when TLS and known.</summary>
    public TlsCipherSuite? CipherSuite { get; }

    /// <summary>The ALPN protocol the handshake agreed on (<c>h2</c>); null without TLS.</summary>
    public string? ApplicationProtocol { get; }

    /// <summary>The host name the client asked for in the TLS handshake (SNI), when it sent one.</summary>
    public string? HostName { get; }

    /// <summary>
    /// The certificate the client presented in the TLS handshake (an endpoint with <c>ClientCertificateMode</c>
    /// <c>AllowCertificate</c> or <c>RequireCertificate</c>), or null.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; }

    internal static Http2ConnectionInfo From(ProcessorContext context) => new(context);
}
