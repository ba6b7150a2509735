using System.Runtime.InteropServices;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// The libssl functions the OpenSSL engine calls (OpenSSL 3.x ABI, the library .NET itself uses on Linux). Macros
/// such as <c>SSL_CTX_set_mode</c> are spelled out as the <c>SSL_CTX_ctrl</c> calls they expand to. Buffers go in as
/// <c>ref byte</c> (pinned for the call, no copy), so no unsafe code is needed.
/// </summary>
internal static class LibSsl
{
    public const string Name = "libssl.so.3";

    // ssl.h / tls1.h / prov_ssl.h constants, checked against the OpenSSL 3.0 headers.
    public const int SslErrorSsl = 1;
    public const int SslErrorWantRead = 2;
    public const int SslErrorWantWrite = 3;
    public const int SslErrorSyscall = 5;
    public const int SslErrorZeroReturn = 6;

    public const int CtrlMode = 33;
    public const int CtrlSetSessionCacheMode = 44;
    public const int CtrlSetMinProtoVersion = 123;
    public const int CtrlSetMaxProtoVersion = 124;
    public const int CtrlSetTlsExtServerNameCallback = 53;
    public const int CtrlSetTlsExtServerNameArg = 54;

    public const int TlsExtNameTypeHostName = 0;

    public const int VerifyPeer = 0x01;
    public const int VerifyFailIfNoPeerCertificate = 0x02;

    public const long ModeEnablePartialWrite = 0x1;
    public const long ModeAcceptMovingWriteBuffer = 0x2;
    public const long ModeReleaseBuffers = 0x10;

    public const long SessionCacheOff = 0;

    public const ulong OptionNoCompression = 1UL << 17;
    public const ulong OptionNoRenegotiation = 1UL << 30;

    public const int Tls12Version = 0x0303;
    public const int Tls13Version = 0x0304;

    public const int TlsExtErrOk = 0;
    public const int TlsExtErrAlertFatal = 2;

    public const int ClientHelloSuccess = 1;
    public const int ClientHelloError = 0;

    public const uint AlpnExtensionType = 16;
    public const int AlertNoApplicationProtocol = 120;
    public const int AlertInternalError = 80;

    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr TLS_server_method();

    [DllImport(Name, ExactSpelling = true)]
    public static extern SslContextHandle SSL_CTX_new(IntPtr method);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_CTX_free(IntPtr context);

    [DllImport(Name, ExactSpelling = true)]
    public static extern CLong SSL_CTX_ctrl(SslContextHandle context, int command, CLong larg, IntPtr parg);

    [DllImport(Name, ExactSpelling = true)]
    public static extern ulong SSL_CTX_set_options(SslContextHandle context, ulong options);

    /// <summary><paramref name="list"/> is NUL-terminated ASCII.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_set_cipher_list(SslContextHandle context, byte[] list);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_use_certificate(SslContextHandle context, IntPtr x509);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_use_PrivateKey(SslContextHandle context, IntPtr key);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_check_private_key(SslContextHandle context);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_CTX_set_alpn_select_cb(SslContextHandle context, IntPtr callback, IntPtr arg);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_CTX_set_client_hello_cb(SslContextHandle context, IntPtr callback, IntPtr arg);

    /// <summary>Only valid inside the client-hello callback, hence the raw <c>SSL*</c>.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_client_hello_get0_ext(IntPtr ssl, uint type, out IntPtr data, out nuint length);

    /// <summary><paramref name="callback"/> null: OpenSSL's own chain verification decides.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_CTX_set_verify(SslContextHandle context, int mode, IntPtr callback);

    /// <summary><paramref name="path"/> is NUL-terminated UTF-8.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_load_verify_file(SslContextHandle context, byte[] path);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_set_default_verify_paths(SslContextHandle context);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_CTX_set_session_id_context(SslContextHandle context, byte[] id, uint length);

    [DllImport(Name, ExactSpelling = true)]
    public static extern CLong SSL_CTX_callback_ctrl(SslContextHandle context, int command, IntPtr callback);

    /// <summary>Only valid inside a handshake callback, hence the raw <c>SSL*</c>.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr SSL_get_servername(IntPtr ssl, int type);

    /// <summary>The SNI name the client sent, once the handshake has completed (zero when none).</summary>
    [DllImport(Name, EntryPoint = "SSL_get_servername", ExactSpelling = true)]
    public static extern IntPtr SSL_get_servername_established(SslHandle ssl, int type);

    /// <summary>Switches a session (inside the servername callback) to another context: its certificate and callbacks.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr SSL_set_SSL_CTX(IntPtr ssl, IntPtr context);

    [DllImport(Name, ExactSpelling = true)]
    public static extern SslHandle SSL_new(SslContextHandle context);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_free(IntPtr ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_set_bio(SslHandle ssl, IntPtr readBio, IntPtr writeBio);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_set0_rbio(SslHandle ssl, IntPtr readBio);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_set0_wbio(SslHandle ssl, IntPtr writeBio);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_set_accept_state(SslHandle ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_do_handshake(SslHandle ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_read(SslHandle ssl, ref byte buffer, int count);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_write(SslHandle ssl, ref byte buffer, int count);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_get_error(SslHandle ssl, int result);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_pending(SslHandle ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_shutdown(SslHandle ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void SSL_get0_alpn_selected(SslHandle ssl, out IntPtr data, out uint length);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int SSL_version(SslHandle ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr SSL_get_current_cipher(SslHandle ssl);

    /// <summary>The client's certificate (a new reference: <c>X509_free</c> it), or zero when it sent none.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr SSL_get1_peer_certificate(SslHandle ssl);

    [DllImport(Name, ExactSpelling = true)]
    public static extern ushort SSL_CIPHER_get_protocol_id(IntPtr cipher);
}
