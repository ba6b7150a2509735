using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// Creates <see cref="OpenSslEngine"/>s for one endpoint from one <c>SSL_CTX</c>: TLS 1.2 and 1.3, ECDHE with AEAD
/// ciphers only on TLS 1.2, no renegotiation, no compression, client certificates and SNI certificates as the endpoint's
/// <see cref="TlsPolicy"/> says, stateless session tickets
/// (no server-side session cache that would grow with the number of clients), ALPN by <see cref="OpenSslAlpnPolicy"/>.
/// </summary>
internal sealed class OpenSslEngineFactory : ITlsEngineFactory
{
    /// <summary>The engine's name in configuration.</summary>
    public const string EngineName = "OpenSsl";

    // TLS 1.2 only (TLS 1.3 suites are configured apart and are all AEAD): forward secrecy and AEAD, which is also
    // what RFC 9113 §9.2.2 asks of HTTP/2 over TLS 1.2. Covers ECDSA and RSA certificates.
    private static readonly byte[] Tls12Ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20\0"u8.ToArray();

    private readonly SslContextHandle _context;
    private readonly OpenSslAlpnPolicy _alpn;

    /// <summary>Builds the context for <paramref name="certificate"/> and the protocol's ALPN ids.</summary>
    /// <param name="certificate">The server certificate with its ECDSA or RSA private key (not kept: copied into OpenSSL).</param>
    /// <param name="applicationProtocols">ALPN ids in preference order; empty: ALPN not required (clients offering none are accepted).</param>
    /// <param name="policy">TLS versions, client certificates and SNI certificates; null: <see cref="TlsPolicy.Default"/>.</param>
    /// <exception cref="PlatformNotSupportedException">libssl.so.3 cannot be loaded.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">OpenSSL refused the settings, the certificate or the key.</exception>
    public OpenSslEngineFactory(X509Certificate2 certificate, IReadOnlyList<SslApplicationProtocol> applicationProtocols, TlsPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        policy ??= TlsPolicy.Default;
        _alpn = new OpenSslAlpnPolicy(applicationProtocols);
        _context = CreateConfigured(certificate, policy);
        try
        {
            if (policy.SniCertificates.Count > 0)
            {
                var contexts = new List<KeyValuePair<string, SslContextHandle>>();
                foreach (var (hostName, sniCertificate) in policy.SniCertificates)
                {
                    var sni = CreateConfigured(sniCertificate, policy);
                    _context.KeepAlive(sni);
                    contexts.Add(new(hostName, sni));
                }

                new OpenSslSniSelector(new SniMap<SslContextHandle>(contexts)).Install(_context);
            }
        }
        catch
        {
            _context.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name => EngineName;

    /// <inheritdoc/>
    public ITlsEngine Create()
    {
        ObjectDisposedException.ThrowIf(_context.IsClosed, this);
        return new OpenSslEngine(_context, _alpn);
    }

    /// <summary>Releases the context (OpenSSL frees it once the last session made from it is disposed too).</summary>
    public void Dispose() => _context.Dispose();

    /// <summary>A context for one certificate with every setting of the endpoint (an SNI session switches between them).</summary>
    private SslContextHandle CreateConfigured(X509Certificate2 certificate, TlsPolicy policy)
    {
        var context = CreateContext();
        try
        {
            Configure(context, policy);
            OpenSslCredentials.Use(context, certificate);
            _alpn.Install(context);
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static SslContextHandle CreateContext()
    {
        SslContextHandle context;
        try
        {
            LibCrypto.ERR_clear_error();
            context = LibSsl.SSL_CTX_new(LibSsl.TLS_server_method());
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new PlatformNotSupportedException($"The OpenSSL TLS engine needs OpenSSL 3 ({LibSsl.Name}): {ex.Message}", ex);
        }

        if (context.IsInvalid)
        {
            context.Dispose();
            throw OpenSslError.Exception("SSL_CTX_new");
        }

        return context;
    }

    private static void Configure(SslContextHandle context, TlsPolicy policy)
    {
        // Only 1.2 and 1.3 are allowed at all, so the allowed set is always a range.
        int min = policy.Protocols.HasFlag(SslProtocols.Tls12) ? LibSsl.Tls12Version : LibSsl.Tls13Version;
        int max = policy.Protocols.HasFlag(SslProtocols.Tls13) ? LibSsl.Tls13Version : LibSsl.Tls12Version;
        if (LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetMinProtoVersion, new CLong(min), IntPtr.Zero).Value != 1)
        {
            throw OpenSslError.Exception("SSL_CTX_set_min_proto_version");
        }

        if (LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetMaxProtoVersion, new CLong(max), IntPtr.Zero).Value != 1)
        {
            throw OpenSslError.Exception("SSL_CTX_set_max_proto_version");
        }

        ConfigureClientCertificates(context, policy);

        LibSsl.SSL_CTX_set_options(context, LibSsl.OptionNoRenegotiation | LibSsl.OptionNoCompression);

        // Release buffers: an idle session gives its ~34 KiB of record buffers back. Partial and moving writes: the
        // plaintext is managed memory pinned only for each call, and the memory BIO never blocks anyway.
        LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlMode,
            new CLong((nint)(LibSsl.ModeReleaseBuffers | LibSsl.ModeEnablePartialWrite | LibSsl.ModeAcceptMovingWriteBuffer)), IntPtr.Zero);

        // Resumption still works through stateless tickets; the internal cache would hold every client's session.
        LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetSessionCacheMode, new CLong((nint)LibSsl.SessionCacheOff), IntPtr.Zero);

        if (LibSsl.SSL_CTX_set_cipher_list(context, Tls12Ciphers) != 1)
        {
            throw OpenSslError.Exception("SSL_CTX_set_cipher_list");
        }

    }

    /// <summary>
    /// Client certificates: OpenSSL asks for one (CertificateRequest) and verifies the chain itself, against the
    /// configured authorities or the system's roots, for client authentication (its default purpose on a server).
    /// </summary>
    private static void ConfigureClientCertificates(SslContextHandle context, TlsPolicy policy)
    {
        if (policy.ClientCertificates == ClientCertificateRequirement.NoCertificate)
        {
            return; // the default SSL_VERIFY_NONE sends no CertificateRequest
        }

        int loaded = policy.AuthoritiesPath is { } path
            ? LibSsl.SSL_CTX_load_verify_file(context, System.Text.Encoding.UTF8.GetBytes(path + "\0"))
            : LibSsl.SSL_CTX_set_default_verify_paths(context);
        if (loaded != 1)
        {
            throw OpenSslError.Exception(policy.AuthoritiesPath is null ? "SSL_CTX_set_default_verify_paths" : "SSL_CTX_load_verify_file");
        }

        // A session resumed from a ticket carries the verified client identity; OpenSSL refuses to resume sessions of
        // a verifying context that has no session id context.
        byte[] sessionContext = "http2lab"u8.ToArray();
        if (LibSsl.SSL_CTX_set_session_id_context(context, sessionContext, (uint)sessionContext.Length) != 1)
        {
            throw OpenSslError.Exception("SSL_CTX_set_session_id_context");
        }

        int mode = policy.ClientCertificates == ClientCertificateRequirement.RequireCertificate
            ? LibSsl.VerifyPeer | LibSsl.VerifyFailIfNoPeerCertificate
            : LibSsl.VerifyPeer;
        LibSsl.SSL_CTX_set_verify(context, mode, IntPtr.Zero);
    }
}
