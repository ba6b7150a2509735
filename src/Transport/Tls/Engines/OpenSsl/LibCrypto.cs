using System.Runtime.InteropServices;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>The libcrypto functions the OpenSSL engine calls: memory BIOs, DER decoding, the error queue.</summary>
internal static class LibCrypto
{
    public const string Name = "libcrypto.so.3";

    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr BIO_s_mem();

    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr BIO_new(IntPtr method);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int BIO_free(IntPtr bio);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int BIO_read(IntPtr bio, ref byte buffer, int count);

    [DllImport(Name, ExactSpelling = true)]
    public static extern int BIO_write(IntPtr bio, ref byte buffer, int count);

    [DllImport(Name, ExactSpelling = true)]
    public static extern nuint BIO_ctrl_pending(IntPtr bio);

    /// <summary><paramref name="input"/> points into pinned DER and is advanced past what was decoded.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr d2i_X509(IntPtr reuse, ref IntPtr input, CLong length);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void X509_free(IntPtr x509);

    /// <summary>DER of <paramref name="x509"/>: its length when <paramref name="output"/> is zero, else written there.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern int i2d_X509(IntPtr x509, ref IntPtr output);

    /// <summary>Decodes a private key in any DER structure OpenSSL knows, PKCS#8 PrivateKeyInfo included.</summary>
    [DllImport(Name, ExactSpelling = true)]
    public static extern IntPtr d2i_AutoPrivateKey(IntPtr reuse, ref IntPtr input, CLong length);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void EVP_PKEY_free(IntPtr key);

    [DllImport(Name, ExactSpelling = true)]
    public static extern CULong ERR_get_error();

    [DllImport(Name, ExactSpelling = true)]
    public static extern void ERR_error_string_n(CULong error, byte[] buffer, nuint length);

    [DllImport(Name, ExactSpelling = true)]
    public static extern void ERR_clear_error();
}
