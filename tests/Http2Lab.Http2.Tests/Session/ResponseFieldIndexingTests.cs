using Http2Lab.Testing;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// Which response fields enter our HPACK dynamic table (RFC 7541 §6.2): repeating ones do, so the next response says
/// them in an octet; credentials never do (§7.1.3); values that differ per message do not churn the table.
/// </summary>
public sealed class ResponseFieldIndexingTests
{
    private const string Date = "Mon, 30 Nov 2026 16:00:00 GMT";

    [Fact]
    public void A_repeated_date_and_content_type_cost_one_octet_each_in_the_next_response()
    {
        using var h = new SessionHarness();
        h.Handshake();

        h.Request(1);
        h.Respond(1, headers: [("content-type", "text/plain"), ("date", Date)]);
        h.Frames.Clear();
        h.Request(3);
        h.Respond(3, headers: [("content-type", "text/plain"), ("date", Date)]);

        Frame second = h.Frames[0];
        Assert.Equal(Date, second.Header("date"));
        Assert.Equal("text/plain", second.Header("content-type"));
        Assert.Equal(3, second.HeaderBlock!.Length); // :status 200, then two dynamic-table indexes
    }

    [Fact]
    public void Content_length_is_sent_literally_without_entering_the_table()
    {
        using var h = new SessionHarness();
        h.Handshake();

        h.Request(1);
        h.Respond(1, headers: ("content-length", "12"));
        h.Request(3);
        h.Respond(3, headers: ("content-length", "12"));

        Assert.Equal(0, h.ResponseDecoder.DynamicTableCount);
    }

    [Theory]
    [InlineData("set-cookie", "session=secret")]
    [InlineData("authorization", "Bearer token")]
    public void Credentials_are_never_indexed(string name, string value)
    {
        using var h = new SessionHarness();
        h.Handshake();

        h.Request(1);
        h.Respond(1, headers: (name, value));

        Assert.Equal(value, h.Frames[0].Header(name));
        Assert.Equal(0, h.ResponseDecoder.DynamicTableCount);
        Assert.Equal(0x10, h.Frames[0].HeaderBlock![1] & 0xF0); // literal never indexed (§6.2.3)
    }
}
