using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// What the TLS handshake of a connection negotiated, and the client's certificate. Every TLS path sets it on the
/// connection's features (<see cref="AddTo"/>) as itself and as <see cref="ITlsHandshakeFeature"/>,
/// <see cref="ITlsApplicationProtocolFeature"/> and <see cref="ITlsConnectionFeature"/>, so Kestrel-style code finds it.
/// </summary>
internal sealed class TlsHandshakeFeature : ITlsHandshakeFeature, ITlsApplicationProtocolFeature, ITlsConnectionFeature
{
#pragma warning disable SYSLIB0058 // The legacy algorithm properties are part of ITlsHandshakeFeature.
    private readonly CipherAlgorithmType _cipherAlgorithm;
    private readonly int _cipherStrength;
    private readonly HashAlgorithmType _hashAlgorithm;
    private readonly int _hashStrength;
    private readonly ExchangeAlgorithmType _keyExchangeAlgorithm;
    private readonly int _keyExchangeStrength;

    /// <summary>Captures the negotiated parameters of an authenticated <paramref name="stream"/>.</summary>
    /// <param name="stream">A server stream whose handshake has completed.</param>
    public TlsHandshakeFeature(SslStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Protocol = stream.SslProtocol;
        NegotiatedCipherSuite = stream.NegotiatedCipherSuite;
        NegotiatedApplicationProtocol = stream.NegotiatedApplicationProtocol;
        HostName = stream.TargetHostName;
        ClientCertificate = stream.RemoteCertificate as X509Certificate2;
        _cipherAlgorithm = stream.CipherAlgorithm;
        _cipherStrength = stream.CipherStrength;
        _hashAlgorithm = stream.HashAlgorithm;
        _hashStrength = stream.HashStrength;
        _keyExchangeAlgorithm = stream.KeyExchangeAlgorithm;
        _keyExchangeStrength = stream.KeyExchangeStrength;
    }
#pragma warning restore SYSLIB0058

    /// <summary>What a memory-buffer TLS engine negotiated (the poll loop's TLS; no legacy algorithm details).</summary>
    internal TlsHandshakeFeature(SslProtocols protocol, TlsCipherSuite cipherSuite, SslApplicationProtocol applicationProtocol, string hostName,
        X509Certificate2? clientCertificate)
    {
        Protocol = protocol;
        NegotiatedCipherSuite = cipherSuite;
        NegotiatedApplicationProtocol = applicationProtocol;
        HostName = hostName;
        ClientCertificate = clientCertificate;
    }

    /// <summary>Sets this feature on <paramref name="features"/> under each interface it serves.</summary>
    public void AddTo(IFeatureCollection features)
    {
        features.Set(this);
        features.Set<ITlsHandshakeFeature>(this);
        features.Set<ITlsApplicationProtocolFeature>(this);
        features.Set<ITlsConnectionFeature>(this);
    }

    /// <summary>The certificate the client presented (an endpoint with <c>ClientCertificateMode</c>), or null.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <inheritdoc />
    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    /// <summary>The negotiated ALPN protocol (always <c>h2</c> once the middleware lets a connection through).</summary>
    public SslApplicationProtocol NegotiatedApplicationProtocol { get; }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> ApplicationProtocol => NegotiatedApplicationProtocol.Protocol;

    /// <inheritdoc />
    public SslProtocols Protocol { get; }

    /// <inheritdoc />
    public TlsCipherSuite? NegotiatedCipherSuite { get; }

    /// <summary>The server name the client asked for (SNI), or empty.</summary>
    public string HostName { get; }

    /// <inheritdoc />
    [Obsolete("Use NegotiatedCipherSuite.", DiagnosticId = "SYSLIB0058")]
    public CipherAlgorithmType CipherAlgorithm => _cipherAlgorithm;

    /// <inheritdoc />
    [Obsolete("Use NegotiatedCipherSuite.", DiagnosticId = "SYSLIB0058")]
    public int CipherStrength => _cipherStrength;

    /// <inheritdoc />
    [Obsolete("Use NegotiatedCipherSuite.", DiagnosticId = "SYSLIB0058")]
    public HashAlgorithmType HashAlgorithm => _hashAlgorithm;

    /// <inheritdoc />
    [Obsolete("Use NegotiatedCipherSuite.", DiagnosticId = "SYSLIB0058")]
    public int HashStrength => _hashStrength;

    /// <inheritdoc />
    [Obsolete("Use NegotiatedCipherSuite.", DiagnosticId = "SYSLIB0058")]
    public ExchangeAlgorithmType KeyExchangeAlgorithm => _keyExchangeAlgorithm;

    /// <inheritdoc />
    [Obsolete("Use NegotiatedCipherSuite.", DiagnosticId = "SYSLIB0058")]
    public int KeyExchangeStrength => _keyExchangeStrength;
}
