using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §8.2–§8.3 and §8.5: malformed requests are stream errors of type PROTOCOL_ERROR (§8.1.1).</summary>
public class Section8_RequestValidationTests
{
    private static readonly (string, string) Method = (":method", "GET");
    private static readonly (string, string) Scheme = (":scheme", "https");
    private static readonly (string, string) Authority = (":authority", "localhost");
    private static readonly (string, string) Path = (":path", "/");

    private static (string, string)[] Base(params (string, string)[] extra) => [Method, Scheme, Authority, Path, .. extra];

    private static readonly Dictionary<string, (string, string)[]> Malformed = new()
    {
        ["uppercase name"] = Base(("X-Upper", "v")),
        ["uppercase letter inside a name"] = Base(("x-uPper", "v")),
        ["space in a name"] = Base(("x name", "v")),
        ["colon inside a regular name"] = Base(("x:y", "v")),
        ["empty name"] = Base(("", "v")),
        ["pseudo-header after a regular header"] = [Method, Scheme, ("accept", "*/*"), Authority, Path],
        ["duplicate :method"] = [Method, Method, Scheme, Authority, Path],
        ["duplicate :path"] = [Method, Scheme, Authority, Path, (":path", "/other")],
        ["duplicate :scheme"] = [Method, Scheme, Scheme, Authority, Path],
        ["duplicate :authority"] = [Method, Scheme, Authority, Authority, Path],
        ["unknown pseudo-header"] = Base((":foo", "bar")),
        [":status in a request"] = [Method, Scheme, Authority, Path, (":status", "200")],
        ["uppercase pseudo-header"] = [(":Method", "GET"), Scheme, Authority, Path],
        ["missing :method"] = [Scheme, Authority, Path],
        ["missing :scheme"] = [Method, Authority, Path],
        ["missing :path"] = [Method, Scheme, Authority],
        ["empty :path"] = [Method, Scheme, Authority, (":path", "")],
        ["empty :method"] = [(":method", ""), Scheme, Authority, Path],
        [":path without a leading slash"] = [Method, Scheme, Authority, (":path", "index.html")],
        ["* as :path of a GET"] = [Method, Scheme, Authority, (":path", "*")],
        ["empty header block"] = [],
        ["connection"] = Base(("connection", "keep-alive")),
        ["keep-alive"] = Base(("keep-alive", "timeout=5")),
        ["transfer-encoding"] = Base(("transfer-encoding", "chunked")),
        ["upgrade"] = Base(("upgrade", "h2c")),
        ["proxy-connection"] = Base(("proxy-connection", "close")),
        ["te gzip"] = Base(("te", "gzip")),
        ["te trailers with another coding"] = Base(("te", "trailers, deflate")),
        ["CR in a value"] = Base(("x-v", "a\rb")),
        ["LF in a value"] = Base(("x-v", "a\nb")),
        ["NUL in a value"] = Base(("x-v", "a\0b")),
        ["leading space in a value"] = Base(("x-v", " a")),
        ["trailing space in a value"] = Base(("x-v", "a ")),
        ["leading tab in a value"] = Base(("x-v", "\ta")),
        ["trailing tab in a value"] = Base(("x-v", "a\t")),
        ["invalid content-length"] = Base(("content-length", "abc")),
        ["negative content-length"] = Base(("content-length", "-1")),
        ["conflicting content-length"] = Base(("content-length", "1"), ("content-length", "2")),
        ["CONNECT with :path"] = [(":method", "CONNECT"), Authority, Path],
        ["CONNECT with :scheme"] = [(":method", "CONNECT"), Scheme, Authority],
        ["CONNECT without :authority"] = [(":method", "CONNECT")],
        [":protocol without extended CONNECT"] = [(":method", "CONNECT"), (":protocol", "websocket"), Scheme, Authority, Path],
        [":protocol on a GET"] = [Method, (":protocol", "websocket"), Scheme, Authority, Path],
    };

    public static TheoryData<string> MalformedCases => [.. Malformed.Keys];

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Malformed_request_is_a_stream_error_protocol_error(string name)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(Malformed[name]), endStream: false));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Events); // neither OnRequest nor OnStreamReset
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.Frames.Clear();

        // The rejected stream's body is ignored and the connection (with its HPACK context) carries on.
        h.Send(FrameBuilder.Data(1, 10, endStream: true));
        h.AssertNoOutput();
        h.Request(3, endStream: true, ("x-next", "ok"));
        h.AssertNoOutput();
    }

    [Theory]
    [InlineData(":method")]
    [InlineData(":path")]
    [InlineData(":status")]
    public void Pseudo_header_in_trailers_is_a_stream_error_protocol_error(string pseudo)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1), FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-t", "1"), (pseudo, "x")), endStream: true));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Trailers);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
    }

    [Theory]
    [InlineData("X-Trailer", "v")]
    [InlineData("x-trailer", "a\r\nb")]
    [InlineData("connection", "close")]
    public void Malformed_field_in_trailers_is_a_stream_error_protocol_error(string name, string value)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1), FrameBuilder.Headers(1, h.Client.HeaderBlock((name, value)), endStream: true));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Trailers);
    }

    [Fact]
    public void Connect_with_only_method_and_authority_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock((":method", "CONNECT"), (":authority", "example.org:443")), endStream: false));
        h.AssertNoOutput();
        RequestEvent request = Assert.Single(h.Handler.Requests);
        Assert.Equal(("CONNECT", "example.org:443", "", ""), (request.Request.Method, request.Request.Authority, request.Request.Scheme, request.Request.Path));
    }

    [Fact]
    public void Options_asterisk_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock((":method", "OPTIONS"), Scheme, Authority, (":path", "*")), endStream: true));
        Assert.Equal("*", Assert.Single(h.Handler.Requests).Request.Path);
    }

    [Fact]
    public void Te_trailers_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        Assert.Contains(new KeyValuePair<string, string>("te", "trailers"), h.Request(1, true, ("te", "trailers")).Request.Headers);
        h.AssertNoOutput();
    }

    [Fact]
    public void Host_stands_in_for_a_missing_authority()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(Method, Scheme, Path, ("host", "example.com")), endStream: true));
        Assert.Equal("example.com", Assert.Single(h.Handler.Requests).Request.Authority);
    }

    [Fact]
    public void Inner_whitespace_obs_text_and_empty_values_are_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        RequestEvent request = h.Request(1, true, ("x-a", "a b\tc"), ("x-b", "caf\u00e9"), ("x-c", ""), ("cookie", "a=1"), ("cookie", "b=2"));
        Assert.Equal(
            [new("x-a", "a b\tc"), new("x-b", "caf\u00e9"), new("x-c", ""), new("cookie", "a=1"), new("cookie", "b=2")],
            request.Request.Headers);
        h.AssertNoOutput();
    }

    [Fact]
    public void Same_content_length_twice_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        Assert.Equal(3, h.Request(1, false, ("content-length", "3"), ("content-length", "3")).Request.ContentLength);
        h.AssertNoOutput();
    }
}
