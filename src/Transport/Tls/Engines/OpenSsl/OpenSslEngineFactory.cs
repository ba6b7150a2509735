using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// Creates <see cref="OpenSslEngine"/>s for one endpoint from one <c>SSL_CTX</c>: TLS 1.2 and 1.3, ECDHE with AEAD
/// ciphers only on TLS 1.2, no renegotiation, no compression, no client certificates, stateless session tickets
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
    /// <exception cref="PlatformNotSupportedException">libssl.so.3 cannot be loaded.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">OpenSSL refused the settings, the certificate or the key.</exception>
    public OpenSslEngineFactory(X509Certificate2 certificate, IReadOnlyList<SslApplicationProtocol> applicationProtocols)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _alpn = new OpenSslAlpnPolicy(applicationProtocols);
        _context = CreateContext();
        try
        {
            Configure(_context);
            OpenSslCredentials.Use(_context, certificate);
            _alpn.Install(_context);
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

    private static void Configure(SslContextHandle context)
    {
        if (LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetMinProtoVersion, new CLong(LibSsl.Tls12Version), IntPtr.Zero).Value != 1)
        {
            throw OpenSslError.Exception("SSL_CTX_set_min_proto_version");
        }

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

        // No SSL_CTX_set_verify: the default SSL_VERIFY_NONE sends no CertificateRequest (no client certificates).
    }
}
