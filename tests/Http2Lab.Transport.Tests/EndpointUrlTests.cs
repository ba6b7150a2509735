using System.Net;
using Http2Lab.Transport.Hosting;

namespace Http2Lab.Transport.Tests;

/// <summary>The endpoint URL grammar: http(s)://host:port with an IP literal, localhost or *.</summary>
public sealed class EndpointUrlTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080", false, "127.0.0.1", 8080)]
    [InlineData("https://127.0.0.1:0", true, "127.0.0.1", 0)]
    [InlineData("HTTP://LOCALHOST:5000", false, "127.0.0.1", 5000)]
    [InlineData("http://localhost:5000/", false, "127.0.0.1", 5000)]
    [InlineData("http://*:80", false, "0.0.0.0", 80)]
    [InlineData("http://0.0.0.0:65535", false, "0.0.0.0", 65535)]
    [InlineData("https://[::1]:8443", true, "::1", 8443)]
    [InlineData("http://[::]:1", false, "::", 1)]
    public void Valid_urls_parse(string text, bool https, string address, int port)
    {
        Assert.True(EndpointUrl.TryParse(text, out var url));
        Assert.Equal(https, url.IsHttps);
        Assert.Equal(IPAddress.Parse(address), url.Address);
        Assert.Equal(port, url.Port);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("htp://x")]
    [InlineData("127.0.0.1:80")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:")]
    [InlineData("http://127.0.0.1:-1")]
    [InlineData("http://127.0.0.1:65536")]
    [InlineData("http://127.0.0.1:+80")]
    [InlineData("http://127.0.0.1:80/api")]
    [InlineData("http://example.com:80")]
    [InlineData("http://10.1:80")]
    [InlineData("http://::1:80")]
    [InlineData("http://[127.0.0.1]:80")]
    [InlineData("http://user@127.0.0.1:80")]
    public void Invalid_urls_do_not_parse(string? text)
    {
        Assert.False(EndpointUrl.TryParse(text, out _));
    }

    [Fact]
    public void Bound_addresses_format_with_explicit_port_and_no_trailing_slash()
    {
        Assert.Equal("https://[::1]:8443", EndpointUrl.Format(EndpointUrl.ToUri(true, new IPEndPoint(IPAddress.IPv6Loopback, 8443))));
        Assert.Equal("https://127.0.0.1:443", EndpointUrl.Format(EndpointUrl.ToUri(true, new IPEndPoint(IPAddress.Loopback, 443))));
        Assert.Equal("http://127.0.0.1:80", EndpointUrl.Parse("http://localhost:80").ToString());
    }
}
