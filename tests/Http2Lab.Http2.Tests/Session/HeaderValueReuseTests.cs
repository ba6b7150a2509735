using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>Repeated header values are reused per connection, and a changed value is never served stale.</summary>
public class HeaderValueReuseTests
{
    private static (string Name, string Value)[] Fields(string authority, string path, string agent) =>
        [(":method", "GET"), (":scheme", "https"), (":authority", authority), (":path", path), ("user-agent", agent)];

    [Fact]
    public void A_repeated_value_is_the_same_string_and_a_changed_one_is_new()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(Fields("a.example", "/x", "agent/1")), endStream: true));
        h.Send(FrameBuilder.Headers(3, h.Client.HeaderBlock(Fields("a.example", "/x", "agent/1")), endStream: true));
        h.Send(FrameBuilder.Headers(5, h.Client.HeaderBlock(Fields("b.example", "/y", "agent/2")), endStream: true));

        Http2RequestHead first = h.Handler.Requests.Single(r => r.StreamId == 1).Request;
        Http2RequestHead second = h.Handler.Requests.Single(r => r.StreamId == 3).Request;
        Http2RequestHead third = h.Handler.Requests.Single(r => r.StreamId == 5).Request;

        Assert.Same(first.Authority, second.Authority);
        Assert.Same(first.Path, second.Path);
        Assert.Same(first.Headers[0].Value, second.Headers[0].Value);
        Assert.Same("GET", second.Method);

        Assert.Equal(("b.example", "/y", "agent/2"), (third.Authority, third.Path, third.Headers[0].Value));
    }
}
