using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// A parsed endpoint URL: <c>http://host[:port]</c> (cleartext) or <c>https://host[:port]</c> (TLS), as ASP.NET Core
/// reads <c>urls</c>.
/// </summary>
/// <remarks>
/// The host is an IPv4 literal, a bracketed IPv6 literal, <c>localhost</c> (both loopbacks, 127.0.0.1 and [::1]) or
/// <c>*</c> / <c>+</c> (every address, IPv4 and IPv6: a dual-stack [::] socket). Other host names are not resolved:
/// a lab server should bind exactly what it says. Without a port, http uses 80 and https 443. <c>http://unix:/path</c>
/// (or https) is a Unix domain socket at an absolute path, as Kestrel writes it.
/// </remarks>
public sealed class EndpointUrl
{
    private const int DefaultHttpPort = 80;
    private const int DefaultHttpsPort = 443;

    /// <summary>The longest socket path Linux takes (sun_path is 108 octets, NUL included).</summary>
    private const int MaxUnixSocketPathBytes = 107;

    private EndpointUrl(bool isHttps, string host, IPAddress address, int port, bool isLocalhost, bool isWildcard, string? unixSocketPath = null)
    {
        UnixSocketPath = unixSocketPath;
        IsHttps = isHttps;
        Host = host;
        Address = address;
        Port = port;
        IsLocalhost = isLocalhost;
        IsWildcard = isWildcard;
    }

    /// <summary>True for <c>https://</c> (the connection pipeline includes TLS).</summary>
    public bool IsHttps { get; }

    /// <summary>The URL scheme, <c>http</c> or <c>https</c>.</summary>
    public string Scheme => IsHttps ? "https" : "http";

    /// <summary>The host as configured, in canonical form: <c>localhost</c>, <c>*</c>, <c>127.0.0.1</c> or <c>[::1]</c>.</summary>
    public string Host { get; }

    /// <summary>
    /// The address to bind: the literal; for <c>localhost</c> the IPv4 loopback (the IPv6 one is bound beside it);
    /// for <c>*</c> and <c>+</c> the IPv6 any-address (dual-stack).
    /// </summary>
    public IPAddress Address { get; }

    /// <summary>The port to bind; 0 asks the operating system for a free port.</summary>
    public int Port { get; }

    /// <summary>True for <c>localhost</c>: the endpoint listens on 127.0.0.1 and, where it can, on [::1].</summary>
    public bool IsLocalhost { get; }

    /// <summary>True for <c>*</c> and <c>+</c>: every address; IPv4 only where the machine has no IPv6.</summary>
    public bool IsWildcard { get; }

    /// <summary>The IP socket endpoint to bind (for a Unix socket, <see cref="IPAddress.None"/> and port 0: use <see cref="BindEndPoint"/>).</summary>
    public IPEndPoint EndPoint => new(Address, Port);

    /// <summary>The absolute path of a Unix domain socket (<c>http://unix:/path</c>); null for IP endpoints.</summary>
    public string? UnixSocketPath { get; }

    /// <summary>True for <c>http://unix:/path</c> and <c>https://unix:/path</c>.</summary>
    public bool IsUnixSocket => UnixSocketPath is not null;

    /// <summary>The socket endpoint to bind: a <see cref="UnixDomainSocketEndPoint"/> or <see cref="EndPoint"/>.</summary>
    public System.Net.EndPoint BindEndPoint => UnixSocketPath is { } path ? new UnixDomainSocketEndPoint(path) : EndPoint;

    /// <summary>Parses <paramref name="text"/>, or returns false when it is not a valid endpoint URL.</summary>
    /// <param name="text">The configured URL.</param>
    /// <param name="url">The parsed URL, when valid.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EndpointUrl? url) => TryParse(text, out url, out _);

    /// <summary>Parses <paramref name="text"/>, or says what is wrong with it.</summary>
    /// <param name="text">The configured URL.</param>
    /// <param name="url">The parsed URL, when valid.</param>
    /// <param name="problem">When invalid, what is wrong, e.g. <c>the scheme 'ftp' is not supported (use http or https)</c>.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out EndpointUrl? url, [NotNullWhen(false)] out string? problem)
    {
        url = null;
        problem = Parse(text?.Trim() ?? "", ref url);
        return problem is null;
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The configured URL.</param>
    /// <exception cref="FormatException">The text is not a valid endpoint URL; the message says why.</exception>
    public static EndpointUrl Parse(string text) =>
        TryParse(text, out var url, out var problem)
            ? url
            : throw new FormatException($"'{text}' is not a valid URL: {problem}");

    /// <summary>Formats a bound socket address as a URL, e.g. <c>http://127.0.0.1:54321</c> or <c>https://[::1]:8443</c>.</summary>
    /// <param name="isHttps">Whether the scheme is https.</param>
    /// <param name="endPoint">The bound address.</param>
    public static Uri ToUri(bool isHttps, IPEndPoint endPoint) =>
        new($"{(isHttps ? "https" : "http")}://{FormatHost(endPoint.Address)}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// Formats a URL as <c>scheme://host:port</c> with the port always present (<see cref="Uri.ToString"/>
    /// drops 80 and 443) and no trailing slash, as the logs show it.
    /// </summary>
    /// <param name="url">An endpoint URL.</param>
    internal static string Format(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return IsUnixSocketUri(url)
            ? $"{url.Scheme}://unix:{url.AbsolutePath}"
            : $"{url.Scheme}://{url.Host}:{url.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The URL a bound socket answers on: this Unix socket's, or the IP address and port <paramref name="local"/> has.</summary>
    internal Uri ToBoundUri(System.Net.EndPoint? local) => UnixSocketPath is { } path
        ? new Uri($"{Scheme}://unix:{path}")
        : ToUri(IsHttps, local as IPEndPoint ?? EndPoint);

    /// <summary>Whether <paramref name="url"/> is a bound Unix socket's (<c>http://unix:/path</c>, host <c>unix</c>).</summary>
    internal static bool IsUnixSocketUri(Uri url) => url.Host.Equals("unix", StringComparison.OrdinalIgnoreCase);

    /// <summary>The URL in canonical form, e.g. <c>http://localhost:80</c>, <c>https://[::1]:8443</c> or <c>http://unix:/run/app.sock</c>.</summary>
    public override string ToString() => UnixSocketPath is { } path
        ? $"{Scheme}://unix:{path}"
        : $"{Scheme}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The same URL bound to one literal address (e.g. a loopback of <c>localhost</c>) and port.</summary>
    internal EndpointUrl WithAddress(IPAddress address, int port) =>
        new(IsHttps, FormatHost(address), address, port, isLocalhost: false, isWildcard: false);

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    /// <summary>Parses a trimmed URL; returns the problem, or null with <paramref name="url"/> set.</summary>
    private static string? Parse(string text, ref EndpointUrl? url)
    {
        if (text.Length == 0)
        {
            return "it is empty (expected http://host:port or https://host:port)";
        }

        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return "it has no scheme (start it with http:// or https://)";
        }

        var scheme = text[..separator];
        bool isHttps;
        if (scheme.Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            isHttps = false;
        }
        else if (scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
        {
            isHttps = true;
        }
        else
        {
            return $"the scheme '{scheme}' is not supported (use http or https)";
        }

        var rest = text[(separator + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return ParseUnixSocket(rest["unix:".Length..], isHttps, ref url);
        }

        // Everything after the authority must be nothing or the single "/" people paste from a browser.
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var tail = end < 0 ? "" : rest[end..];
        if (tail.Length > 0 && tail != "/")
        {
            return tail[0] == '/'
                ? $"a path ('{tail}') is not allowed: an endpoint is an address, not a route"
                : $"a query or fragment ('{tail}') is not allowed";
        }

        if (authority.Contains('@'))
        {
            return "user information before '@' is not allowed";
        }

        if (SplitHostAndPort(authority, out var hostText, out var portText) is { } shapeProblem)
        {
            return shapeProblem;
        }

        var port = isHttps ? DefaultHttpsPort : DefaultHttpPort;
        if (portText is not null)
        {
            if (portText.Length == 0)
            {
                return "the port after ':' is empty (leave out the ':' for the default, 80 for http and 443 for https)";
            }

            if (portText.Length > 5
                || !portText.All(char.IsAsciiDigit)
                || (port = int.Parse(portText, NumberStyles.None, CultureInfo.InvariantCulture)) > IPEndPoint.MaxPort)
            {
                return $"the port '{portText}' is not a number from 0 to 65535";
            }
        }

        if (ParseHost(hostText, isHttps, port, ref url) is { } hostProblem)
        {
            return hostProblem;
        }

        return null;
    }

    private static string? ParseUnixSocket(string path, bool isHttps, ref EndpointUrl? url)
    {
        if (!path.StartsWith('/'))
        {
            return path.Length == 0
                ? "the Unix socket has no path (expected http://unix:/absolute/path.sock)"
                : $"the Unix socket path '{path}' is not absolute (expected http://unix:/absolute/path.sock)";
        }

        if (path.EndsWith('/'))
        {
            return $"the Unix socket path '{path}' names a directory, not a socket file";
        }

        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxUnixSocketPathBytes)
        {
            return $"the Unix socket path is longer than {MaxUnixSocketPathBytes} octets, the most the system takes";
        }

        url = new EndpointUrl(isHttps, $"unix:{path}", IPAddress.None, 0, isLocalhost: false, isWildcard: false, unixSocketPath: path);
        return null;
    }

    private static string? SplitHostAndPort(string authority, out string host, out string? port)
    {
        host = authority;
        port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return $"the IPv6 address '{authority}' has no closing ']'";
            }

            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    return $"'{after}' after the IPv6 address is not a port (expected [address]:port)";
                }

                port = after[1..];
            }
        }
        else
        {
            var colon = authority.IndexOf(':');
            if (colon >= 0 && authority.IndexOf(':', colon + 1) >= 0)
            {
                return "an IPv6 address must be in brackets, e.g. http://[::1]:8080";
            }

            if (colon >= 0)
            {
                host = authority[..colon];
                port = authority[(colon + 1)..];
            }
        }

        return host.Length == 0 ? "it has no host (use an IP address, localhost, or * for every address)" : null;
    }

    private static string? ParseHost(string host, bool isHttps, int port, ref EndpointUrl? url)
    {
        if (host is "*" or "+")
        {
            url = new EndpointUrl(isHttps, "*", IPAddress.IPv6Any, port, isLocalhost: false, isWildcard: true);
            return null;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            url = new EndpointUrl(isHttps, "localhost", IPAddress.Loopback, port, isLocalhost: true, isWildcard: false);
            return null;
        }

        if (host.StartsWith('['))
        {
            if (!IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return $"'{host}' is not an IPv6 address";
            }

            url = new EndpointUrl(isHttps, FormatHost(v6), v6, port, isLocalhost: false, isWildcard: false);
            return null;
        }

        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            // IPAddress.TryParse accepts shorthand like "1" or "10.1"; require the dotted-quad form.
            if (host.Count(c => c == '.') != 3
                || !IPAddress.TryParse(host, out var v4)
                || v4.AddressFamily != AddressFamily.InterNetwork)
            {
                return $"'{host}' is not an IPv4 address (expected four numbers, e.g. 127.0.0.1)";
            }

            url = new EndpointUrl(isHttps, FormatHost(v4), v4, port, isLocalhost: false, isWildcard: false);
            return null;
        }

        return $"'{host}' is a host name: use an IP address, localhost, or * for every address (host names are not resolved)";
    }
}
