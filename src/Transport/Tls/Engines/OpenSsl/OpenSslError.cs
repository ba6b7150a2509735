using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>Reads this thread's OpenSSL error queue (it is per thread, and .NET's own crypto shares it).</summary>
internal static class OpenSslError
{
    /// <summary>The oldest queued error as OpenSSL words it (<c>error:0A00010B:SSL routines::wrong version number</c>), or null; empties the queue.</summary>
    public static string? Take()
    {
        ulong code = LibCrypto.ERR_get_error().Value;
        if (code == 0)
        {
            return null;
        }

        // The oldest error is the cause; the rest are the layers it travelled through.
        LibCrypto.ERR_clear_error();
        var text = new byte[256];
        LibCrypto.ERR_error_string_n(new CULong((nuint)code), text, (nuint)text.Length);
        int length = Array.IndexOf(text, (byte)0);
        return Encoding.ASCII.GetString(text, 0, length < 0 ? text.Length : length);
    }

    /// <summary>An exception for a setup step that failed, with OpenSSL's reason.</summary>
    public static CryptographicException Exception(string step) =>
        new($"OpenSSL: {step} failed: {Take() ?? "no reason given"}");
}
