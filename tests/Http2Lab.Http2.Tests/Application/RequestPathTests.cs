using Http2Lab.Http2.Application;
using Xunit;

namespace Http2Lab.Http2.Tests.Application;

public sealed class RequestPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/static/../appsettings.json", "/appsettings.json")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/..", "/")]
    [InlineData("/../../etc/passwd", "/etc/passwd")]
    [InlineData("/a//b", "/a//b")]
    [InlineData("/%2e%2e/secret", "/secret")]
    [InlineData("/static/%2E%2E/appsettings.json", "/appsettings.json")]
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/a%2f..%2fb", "/a%2f..%2fb")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/hello%20world", "/hello world")]
    [InlineData("/bad%ZZ", "/bad%ZZ")]
    [InlineData("/trunc%4", "/trunc%4")]
    [InlineData("/not-utf8%FF", "/not-utf8%FF")]
    [InlineData("/.well-known/x", "/.well-known/x")]
    [InlineData("*", "*")]
    public void Normalizes_like_kestrel(string sent, string seen) => Assert.Equal(seen, RequestPath.Normalize(sent));

    [Fact]
    public void An_ordinary_path_is_not_copied()
    {
        string path = "/plain/path";
        Assert.Same(path, RequestPath.Normalize(path));
    }
}
