using System.Net;
using Http2Lab.Transport.Hosting;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// The endpoint URL grammar, as ASP.NET Core reads <c>urls</c>: http(s)://host[:port] with an IP literal, localhost,
/// or * / + for every address; and what the error says when a URL is not that.
/// </summary>
public sealed class EndpointUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", false, "127.0.0.1", 8080)]
    [InlineData("https://127.0.0.1:0", true, "127.0.0.1", 0)]
    [InlineData("HTTP://LOCALHOST:5000", false, "127.0.0.1", 5000)]
    [InlineData("http://localhost:5000/", false, "127.0.0.1", 5000)]
    [InlineData("http://*:80", false, "::", 80)]
    [InlineData("http://+:80", false, "::", 80)]
    [InlineData("http://0.0.0.0:65535", false, "0.0.0.0", 65535)]
    [InlineData("https://[::1]:8443", true, "::1", 8443)]
    [InlineData("http://[::]:1", false, "::", 1)]
    [InlineData("http://127.0.0.1", false, "127.0.0.1", 80)]
    [InlineData("https://127.0.0.1/", true, "127.0.0.1", 443)]
    [InlineData("https://[::1]", true, "::1", 443)]
    [InlineData(" http://*  ", false, "::", 80)]
    public void Valid_urls_parse(string text, bool https, string address, int port)
    {
        Assert.True(EndpointUrl.TryParse(text, out var url));
        Assert.Equal(https, url.IsHttps);
        Assert.Equal(IPAddress.Parse(address), url.Address);
        Assert.Equal(port, url.Port);
    }

    [Theory]
    [InlineData("http://localhost:1", "localhost", true, false)]
    [InlineData("http://*:1", "*", false, true)]
    [InlineData("http://+:1", "*", false, true)]
    [InlineData("http://[::]:1", "[::]", false, false)]
    [InlineData("http://[0:0::1]:1", "[::1]", false, false)]
    public void Hosts_keep_their_meaning(string text, string host, bool localhost, bool wildcard)
    {
        var url = EndpointUrl.Parse(text);

        Assert.Equal(host, url.Host);
        Assert.Equal(localhost, url.IsLocalhost);
        Assert.Equal(wildcard, url.IsWildcard);
    }

    [Theory]
    [InlineData(null, "it is empty")]
    [InlineData("", "it is empty")]
    [InlineData("htp://x", "the scheme 'htp' is not supported (use http or https)")]
    [InlineData("ftp://127.0.0.1:21", "the scheme 'ftp' is not supported")]
    [InlineData("127.0.0.1:80", "it has no scheme")]
    [InlineData("http://127.0.0.1:", "the port after ':' is empty")]
    [InlineData("http://127.0.0.1:-1", "the port '-1' is not a number from 0 to 65535")]
    [InlineData("http://127.0.0.1:65536", "the port '65536' is not a number from 0 to 65535")]
    [InlineData("http://127.0.0.1:+80", "the port '+80' is not a number")]
    [InlineData("http://127.0.0.1:80/api", "a path ('/api') is not allowed")]
    [InlineData("http://127.0.0.1:80?x=1", "a query or fragment ('?x=1') is not allowed")]
    [InlineData("http://example.com:80", "'example.com' is a host name")]
    [InlineData("http://10.1:80", "'10.1' is not an IPv4 address")]
    [InlineData("http://::1:80", "an IPv6 address must be in brackets")]
    [InlineData("http://[127.0.0.1]:80", "'[127.0.0.1]' is not an IPv6 address")]
    [InlineData("http://[::1:80", "has no closing ']'")]
    [InlineData("http://user@127.0.0.1:80", "user information before '@' is not allowed")]
    [InlineData("http://:80", "it has no host")]
    [InlineData("http://unix:", "the Unix socket has no path")]
    [InlineData("http://unix:run/http2lab.sock", "the Unix socket path 'run/http2lab.sock' is not absolute")]
    [InlineData("http://unix:/run/", "names a directory")]
    public void Invalid_urls_say_what_is_wrong(string? text, string problem)
    {
        Assert.False(EndpointUrl.TryParse(text, out _, out var said));
        Assert.Contains(problem, said);
        Assert.False(EndpointUrl.TryParse(text, out _));
    }

    [Theory]
    [InlineData("http://unix:/run/http2lab.sock", false)]
    [InlineData("https://unix:/tmp/a b.sock", true)]
    public void A_unix_url_names_a_socket_file(string text, bool https)
    {
        var url = EndpointUrl.Parse(text);

        Assert.True(url.IsUnixSocket);
        Assert.Equal(https, url.IsHttps);
        Assert.Equal(text[(text.IndexOf("unix:", StringComparison.Ordinal) + 5)..], url.UnixSocketPath);
        Assert.Equal(url.UnixSocketPath, Assert.IsType<System.Net.Sockets.UnixDomainSocketEndPoint>(url.BindEndPoint).ToString());
        Assert.Equal(text, url.ToString());
        Assert.False(url.IsLocalhost || url.IsWildcard);
    }

    [Fact]
    public void A_unix_path_longer_than_the_system_takes_is_refused()
    {
        Assert.False(EndpointUrl.TryParse("http://unix:/" + new string('x', 107), out _, out var problem));
        Assert.Contains("longer than 107 octets", problem);
    }

    [Fact]
    public void Parse_puts_the_problem_in_the_exception()
    {
        var error = Assert.Throws<FormatException>(() => EndpointUrl.Parse("http://127.0.0.1:80/api"));

        Assert.Equal("'http://127.0.0.1:80/api' is not a valid URL: a path ('/api') is not allowed: an endpoint is an address, not a route", error.Message);
    }

    [Fact]
    public void Bound_addresses_format_with_explicit_port_and_no_trailing_slash()
    {
        Assert.Equal("https://[::1]:8443", EndpointUrl.Format(EndpointUrl.ToUri(true, new IPEndPoint(IPAddress.IPv6Loopback, 8443))));
        Assert.Equal("https://127.0.0.1:443", EndpointUrl.Format(EndpointUrl.ToUri(true, new IPEndPoint(IPAddress.Loopback, 443))));
        Assert.Equal("http://localhost:80", EndpointUrl.Parse("http://localhost").ToString());
        Assert.Equal("https://[::1]:443", EndpointUrl.Parse("HTTPS://[::1]/").ToString());
    }
}
