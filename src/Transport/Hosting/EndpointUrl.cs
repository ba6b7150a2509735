using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// A parsed endpoint URL: <c>http://host:port</c> (cleartext) or <c>https://host:port</c> (TLS).
/// </summary>
/// <remarks>
/// The host must be an IPv4 literal, a bracketed IPv6 literal, <c>localhost</c> (IPv4 loopback) or
/// <c>*</c> (any IPv4 address). Host names are not resolved: a lab server should bind exactly what it says.
/// </remarks>
public sealed class EndpointUrl
{
    private EndpointUrl(bool isHttps, IPAddress address, int port)
    {
        IsHttps = isHttps;
        Address = address;
        Port = port;
    }

    /// <summary>True for <c>https://</c> (the connection pipeline includes TLS).</summary>
    public bool IsHttps { get; }

    /// <summary>The URL scheme, <c>http</c> or <c>https</c>.</summary>
    public string Scheme => IsHttps ? "https" : "http";

    /// <summary>The address to bind.</summary>
    public IPAddress Address { get; }

    /// <summary>The port to bind; 0 asks the operating system for a free port.</summary>
    public int Port { get; }

    /// <summary>The socket endpoint to bind.</summary>
    public IPEndPoint EndPoint => new(Address, Port);

    /// <summary>Parses <paramref name="text"/>, or returns false when it is not a valid endpoint URL.</summary>
    /// <param name="text">The configured URL.</param>
    /// <param name="url">The parsed URL, when valid.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EndpointUrl? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var rest = text.Trim();
        bool isHttps;
        if (rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            isHttps = false;
            rest = rest["http://".Length..];
        }
        else if (rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            isHttps = true;
            rest = rest["https://".Length..];
        }
        else
        {
            return false;
        }

        // A single trailing slash is what people paste from a browser; any other path is not an endpoint.
        if (rest.EndsWith('/'))
        {
            rest = rest[..^1];
        }

        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1)
        {
            return false;
        }

        var hostText = rest[..colon];
        var portText = rest[(colon + 1)..];
        if (!portText.All(char.IsAsciiDigit)
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        if (!TryParseHost(hostText, out var address))
        {
            return false;
        }

        url = new EndpointUrl(isHttps, address, port);
        return true;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The configured URL.</param>
    /// <exception cref="FormatException">The text is not a valid endpoint URL.</exception>
    public static EndpointUrl Parse(string text) =>
        TryParse(text, out var url)
            ? url
            : throw new FormatException($"'{text}' is not a valid URL (expected http://host:port or https://host:port)");

    /// <summary>Formats a bound socket address as a URL, e.g. <c>http://127.0.0.1:54321</c> or <c>https://[::1]:8443</c>.</summary>
    /// <param name="isHttps">Whether the scheme is https.</param>
    /// <param name="endPoint">The bound address.</param>
    public static Uri ToUri(bool isHttps, IPEndPoint endPoint)
    {
        var host = endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]"
            : endPoint.Address.ToString();
        return new Uri($"{(isHttps ? "https" : "http")}://{host}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Formats a URL as <c>scheme://host:port</c> with the port always present (<see cref="Uri.ToString"/>
    /// drops 80 and 443) and no trailing slash, as the logs show it.
    /// </summary>
    /// <param name="url">An endpoint URL.</param>
    public static string Format(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"{url.Scheme}://{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The URL in canonical form, e.g. <c>http://127.0.0.1:80</c>.</summary>
    public override string ToString() => Format(ToUri(IsHttps, EndPoint));

    private static bool TryParseHost(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (host == "*")
        {
            address = IPAddress.Any;
            return true;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out address)
                && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // IPAddress.TryParse accepts shorthand like "1" or "10.1"; require the dotted-quad form.
        return host.Count(c => c == '.') == 3
            && IPAddress.TryParse(host, out address)
            && address.AddressFamily == AddressFamily.InterNetwork;
    }
}
