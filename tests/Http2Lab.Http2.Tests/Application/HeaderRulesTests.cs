using Http2Lab.Http2.Application;

namespace Http2Lab.Http2.Tests.Application;

/// <summary>What a handler may set as a response field (RFC 9113 §8.2): names are lowercased, values trimmed of
/// optional whitespace, and anything HTTP/2 forbids is refused before it reaches the wire.</summary>
public sealed class HeaderRulesTests
{
    [Theory]
    [InlineData("content-type", "text/plain", "content-type", "text/plain")]
    [InlineData("X-Request-Id", "abc", "x-request-id", "abc")]
    [InlineData("x-token!#$%&'*+-.^_`|~09", "v", "x-token!#$%&'*+-.^_`|~09", "v")]
    [InlineData("x-padded", " \t value with inner space \t ", "x-padded", "value with inner space")]
    [InlineData("x-empty", "", "x-empty", "")]
    public void A_valid_field_is_lowercased_and_trimmed(string name, string value, string expectedName, string expectedValue)
    {
        KeyValuePair<string, string> field = HeaderRules.Validate(name, value);

        Assert.Equal(expectedName, field.Key);
        Assert.Equal(expectedValue, field.Value);
    }

    [Fact]
    public void A_field_that_needs_no_change_keeps_its_strings()
    {
        string name = "cache-control", value = "no-store";

        KeyValuePair<string, string> field = HeaderRules.Validate(name, value);

        Assert.Same(name, field.Key);
        Assert.Same(value, field.Value);
    }

    [Theory]
    [InlineData("x name", "space")]
    [InlineData("x(name)", "parenthesis")]
    [InlineData("x:name", "colon")]
    [InlineData("x-caf\u00e9", "non-ASCII")]
    [InlineData("x\u0130", "a capital that lowercases outside ASCII")]
    public void A_name_outside_tchar_is_refused(string name, string why)
    {
        var error = Assert.Throws<ArgumentException>(() => HeaderRules.Validate(name, "v"));
        Assert.True(error.Message.Contains("not a valid field name", StringComparison.Ordinal), $"{why}: {error.Message}");
    }

    [Theory]
    [InlineData(":status")]
    [InlineData(":path")]
    public void Pseudo_headers_are_the_servers(string name) =>
        Assert.Contains("pseudo-headers", Assert.Throws<ArgumentException>(() => HeaderRules.Validate(name, "1")).Message);

    [Theory]
    [InlineData("connection")]
    [InlineData("Transfer-Encoding")]
    [InlineData("keep-alive")]
    [InlineData("upgrade")]
    [InlineData("proxy-connection")]
    public void Connection_specific_fields_are_refused(string name) =>
        Assert.Contains("§8.2.2", Assert.Throws<ArgumentException>(() => HeaderRules.Validate(name, "x")).Message);

    [Theory]
    [InlineData("a\r\nx-injected: 1")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    public void Values_with_CR_LF_or_NUL_are_refused(string value) =>
        Assert.Contains("CR, LF or NUL", Assert.Throws<ArgumentException>(() => HeaderRules.Validate("x-value", value)).Message);
}
