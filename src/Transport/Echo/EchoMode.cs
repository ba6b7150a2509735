using System.Diagnostics.CodeAnalysis;

namespace Http2Lab.Transport.Echo;

/// <summary>How the echo protocol answers (<c>Http2Lab:Endpoints:&lt;name&gt;:EchoMode</c>).</summary>
internal enum EchoMode
{
    /// <summary>Lines ending in LF or CRLF come back ending in CRLF; the line <c>quit</c> closes the connection.</summary>
    Lines,

    /// <summary>Every octet comes back as it arrived.</summary>
    Bytes,
}

/// <summary>Parsing of <see cref="EchoMode"/> configuration values.</summary>
internal static class EchoModes
{
    /// <summary>Parses a configured mode (case-insensitive).</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EchoMode? mode)
    {
        mode = null;
        if (Enum.TryParse(text, ignoreCase: true, out EchoMode parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _))
        {
            mode = parsed;
        }

        return mode is not null;
    }
}
