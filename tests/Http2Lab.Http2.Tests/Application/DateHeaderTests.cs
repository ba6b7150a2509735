using Http2Lab.Http2.Application;
using Xunit;

namespace Http2Lab.Http2.Tests.Application;

public sealed class DateHeaderTests
{
    [Fact]
    public void The_value_is_an_imf_fixdate()
    {
        // RFC 9110 §5.6.7's own example.
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", new DateHeader().Get(new DateTimeOffset(1994, 11, 6, 8, 49, 37, 500, TimeSpan.Zero)));
    }

    [Fact]
    public void Within_one_second_the_same_string_is_returned_and_a_new_second_gets_a_new_one()
    {
        var start = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var date = new DateHeader();

        string first = date.Get(start);
        string sameSecond = date.Get(start.AddMilliseconds(999));
        string next = date.Get(start.AddSeconds(1));

        Assert.Same(first, sameSecond); // formatted once, not per request
        Assert.Equal("Wed, 02 Jan 2030 03:04:06 GMT", next);
    }
}
