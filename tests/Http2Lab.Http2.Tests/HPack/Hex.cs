namespace Http2Lab.Http2.Tests.HPack;

/// <summary>Hex dumps as printed in RFC 7541 Appendix C ("8286 8441 ...").</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Normalizes an RFC hex dump for comparison with <see cref="Format"/>.</summary>
    public static string Normalize(string hex) => hex.Replace(" ", string.Empty).ToLowerInvariant();
}
