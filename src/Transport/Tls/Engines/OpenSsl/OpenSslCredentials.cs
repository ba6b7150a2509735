using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// Puts a .NET certificate and its private key into an <c>SSL_CTX</c>: the certificate as DER, the key as PKCS#8
/// DER, decoded by libcrypto. Going through DER keeps the engine independent of how .NET holds its keys.
/// </summary>
internal static class OpenSslCredentials
{
    /// <summary>Loads <paramref name="certificate"/> (ECDSA or RSA key) into <paramref name="context"/> and checks the pair.</summary>
    /// <exception cref="ArgumentException">The certificate has no ECDSA or RSA private key, or it cannot be exported.</exception>
    /// <exception cref="CryptographicException">OpenSSL refused the certificate or the key.</exception>
    public static void Use(SslContextHandle context, X509Certificate2 certificate)
    {
        IntPtr x509 = Decode(certificate.RawData, LibCrypto.d2i_X509, "d2i_X509 (server certificate)");
        try
        {
            if (LibSsl.SSL_CTX_use_certificate(context, x509) != 1)
            {
                throw OpenSslError.Exception("SSL_CTX_use_certificate");
            }
        }
        finally
        {
            LibCrypto.X509_free(x509); // the context holds its own reference
        }

        byte[] pkcs8 = ExportPrivateKey(certificate);
        IntPtr key;
        try
        {
            key = Decode(pkcs8, LibCrypto.d2i_AutoPrivateKey, "d2i_AutoPrivateKey (server key)");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        try
        {
            if (LibSsl.SSL_CTX_use_PrivateKey(context, key) != 1)
            {
                throw OpenSslError.Exception("SSL_CTX_use_PrivateKey");
            }
        }
        finally
        {
            LibCrypto.EVP_PKEY_free(key);
        }

        if (LibSsl.SSL_CTX_check_private_key(context) != 1)
        {
            throw OpenSslError.Exception("SSL_CTX_check_private_key (the key does not match the certificate)");
        }
    }

    private delegate IntPtr Decoder(IntPtr reuse, ref IntPtr input, CLong length);

    private static byte[] ExportPrivateKey(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new ArgumentException("The server certificate has no private key.", nameof(certificate));
        }

        try
        {
            using (ECDsa? ecdsa = certificate.GetECDsaPrivateKey())
            {
                if (ecdsa is not null)
                {
                    return ecdsa.ExportPkcs8PrivateKey();
                }
            }

            using (RSA? rsa = certificate.GetRSAPrivateKey())
            {
                if (rsa is not null)
                {
                    return rsa.ExportPkcs8PrivateKey();
                }
            }
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"The server certificate's private key cannot be exported: {ex.Message}", nameof(certificate), ex);
        }

        throw new ArgumentException("The server certificate's key is neither ECDSA nor RSA.", nameof(certificate));
    }

    private static IntPtr Decode(byte[] der, Decoder decode, string step)
    {
        GCHandle pin = GCHandle.Alloc(der, GCHandleType.Pinned);
        try
        {
            IntPtr cursor = pin.AddrOfPinnedObject();
            IntPtr decoded = decode(IntPtr.Zero, ref cursor, new CLong(der.Length));
            return decoded != IntPtr.Zero ? decoded : throw OpenSslError.Exception(step);
        }
        finally
        {
            pin.Free();
        }
    }
}
