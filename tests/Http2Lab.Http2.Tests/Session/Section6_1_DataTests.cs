using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.1: DATA (and §8.1.1 content-length).</summary>
public class Section6_1_DataTests
{
    [Fact]
    public void Data_is_delivered_with_its_end_stream_flag()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, [1, 2, 3]), FrameBuilder.Data(1, [4], endStream: true));
        Assert.Equal([new byte[] { 1, 2, 3 }, new byte[] { 4 }], h.Handler.Data.Select(d => d.Data));
        Assert.Equal([false, true], h.Handler.Data.Select(d => d.EndStream));
        h.AssertNoOutput();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(255)]
    public void Padding_is_removed_before_delivery(int padLength)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, FrameBuilder.Pattern(100), endStream: true, padLength));
        DataEvent data = Assert.Single(h.Handler.Data);
        Assert.Equal(FrameBuilder.Pattern(100), data.Data);
        Assert.True(data.EndStream);
    }

    [Fact]
    public void Padded_data_may_carry_no_data_at_all()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.Data, FrameFlags.Padded | FrameFlags.EndStream, 1, [0]));
        h.Send(FrameBuilder.Raw(FrameType.Data, FrameFlags.Padded, 1, [3, 0, 0, 0]));
        h.AssertGoAway(Http2ErrorCode.StreamClosed); // the first one ended the stream
        Assert.Equal([0], h.Handler.Data.Select(d => d.Data.Length));
    }

    [Fact]
    public void Data_on_stream_zero_is_a_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Data(0, 5));
        Assert.Equal("DATA on stream 0 (RFC 9113 6.1)", h.AssertGoAway(Http2ErrorCode.ProtocolError).DebugData);
    }

    [Theory]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 3, 0xAA, 0xBB })]
    [InlineData(new byte[] { 255, 1, 2, 3 })]
    public void Padding_not_shorter_than_the_payload_is_a_protocol_error(byte[] payload)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.Data, FrameFlags.Padded, 1, payload));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Data);
    }

    [Fact]
    public void Padded_data_without_a_pad_length_field_is_a_frame_size_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Raw(FrameType.Data, FrameFlags.Padded, 1, []));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Data_after_end_stream_is_a_connection_error_stream_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 4, endStream: true));
        h.Send(FrameBuilder.Data(1, 4));
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.StreamClosed).LastStreamId);
        Assert.Single(h.Handler.Data);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.StreamClosed)], h.Handler.Resets);
    }

    [Fact]
    public void Content_length_matching_the_data_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        RequestEvent request = h.Request(1, endStream: false, ("content-length", "10"));
        Assert.Equal(10, request.Request.ContentLength);
        h.Send(FrameBuilder.Data(1, 4), FrameBuilder.Data(1, 6, endStream: true));
        h.AssertNoOutput();
        Assert.Equal(10, h.Handler.BodyOf(1).Length);
    }

    [Fact]
    public void More_data_than_content_length_is_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false, ("content-length", "10"));
        h.Send(FrameBuilder.Data(1, 6), FrameBuilder.Data(1, 5));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Equal(6, h.Handler.BodyOf(1).Length); // the excess frame is not delivered
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
    }

    [Fact]
    public void Less_data_than_content_length_at_end_stream_is_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false, ("content-length", "10"));
        h.Send(FrameBuilder.Data(1, 6), FrameBuilder.Data(1, 3, endStream: true));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.DoesNotContain(h.Handler.Data, d => d.EndStream);
    }

    [Fact]
    public void Less_data_than_content_length_before_trailers_is_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false, ("content-length", "10"));
        h.Send(FrameBuilder.Data(1, 6), FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-t", "1")), endStream: true));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Trailers);
    }

    [Fact]
    public void Nonzero_content_length_on_headers_with_end_stream_is_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Request(1, endStream: true, ("content-length", "5")));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Requests);
    }

    [Fact]
    public void Zero_content_length_on_headers_with_end_stream_is_accepted()
    {
        using var h = new SessionHarness();
        h.Handshake();
        Assert.Equal(0, h.Request(1, endStream: true, ("content-length", "0")).Request.ContentLength);
        h.AssertNoOutput();
    }

    [Fact]
    public void Padding_counts_against_the_receive_window()
    {
        using var h = new SessionHarness(new Http2Limits { InitialStreamWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        // Four frames of 16128 data octets fit a 65535 window (64512) only without their padding (4 × 16384 = 65536).
        for (int i = 0; i < 3; i++)
        {
            h.Send(FrameBuilder.Data(1, 16128, padLength: 255));
        }

        h.AssertNoOutput();
        h.Send(FrameBuilder.Data(1, 16128, padLength: 255));
        h.AssertRst(1, Http2ErrorCode.FlowControlError);
        Assert.Equal(3, h.Handler.Data.Count());
    }

    [Fact]
    public void Padding_credit_is_returned_without_waiting_for_the_application()
    {
        using var h = new SessionHarness(new Http2Limits { InitialStreamWindowSize = 65535, InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        // Each frame returns 256 octets at once (Pad Length field and padding): 127 × 256 = 32512 stays below half
        // of the window (32767), so no WINDOW_UPDATE yet.
        for (int i = 0; i < 127; i++)
        {
            h.Send(FrameBuilder.Data(1, 1, padLength: 255));
        }

        h.AssertNoOutput();
        h.Send(FrameBuilder.Data(1, 1, padLength: 255));
        Assert.Collection(h.Frames.OrderBy(f => f.StreamId),
            f => Assert.Equal((FrameType.WindowUpdate, 0, 128 * 256), (f.Type, f.StreamId, f.Increment)),
            f => Assert.Equal((FrameType.WindowUpdate, 1, 128 * 256), (f.Type, f.StreamId, f.Increment)));
        Assert.Equal(128, h.Handler.BodyOf(1).Length); // data octets await AcknowledgeData
    }

    [Fact]
    public void Data_after_our_rst_stream_is_ignored()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Session.ResetStream(1, Http2ErrorCode.Cancel);
        h.Drain();
        h.AssertRst(1, Http2ErrorCode.Cancel);
        Assert.Empty(h.Handler.Resets); // the application asked for it
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 100), FrameBuilder.Data(1, 100, endStream: true, padLength: 8));
        h.AssertNoOutput();
        Assert.Empty(h.Handler.Data);
        h.AssertAlive();
    }

    [Fact]
    public void Data_ignored_after_our_rst_stream_still_returns_its_connection_credit()
    {
        using var h = new SessionHarness(new Http2Limits { InitialConnectionWindowSize = 65535 });
        h.Handshake();
        h.Request(1, endStream: false);
        h.Session.ResetStream(1, Http2ErrorCode.Cancel);
        h.Drain();
        h.Frames.Clear();

        // 2 × 16384 ≥ 65535 / 2: the connection window is reopened although nobody read the octets.
        h.Send(FrameBuilder.Data(1, 16384), FrameBuilder.Data(1, 16384));
        Frame update = Assert.Single(h.Frames);
        Assert.Equal((FrameType.WindowUpdate, 0, 2 * 16384), (update.Type, update.StreamId, update.Increment));

        // Without that credit this would exceed the connection window.
        for (int i = 0; i < 4; i++)
        {
            h.Send(FrameBuilder.Data(1, 16384));
        }

        Assert.Equal(3, h.Frames.Count(f => f.Type == FrameType.WindowUpdate));
        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.GoAway);
    }

    [Fact]
    public void Empty_data_frame_with_end_stream_ends_the_request()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        h.Send(FrameBuilder.Data(1, 0, endStream: true));
        DataEvent data = Assert.Single(h.Handler.Data);
        Assert.Equal((0, true), (data.Data.Length, data.EndStream));
    }

    [Fact]
    public void Data_split_at_every_octet_is_delivered_once_whole()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        byte[] frames = FrameBuilder.Concat(FrameBuilder.Data(1, FrameBuilder.Pattern(300), padLength: 7), FrameBuilder.Data(1, [9], endStream: true));
        for (int i = 0; i < frames.Length; i++)
        {
            h.Send([frames[i]]);
            int expectedEvents = i + 1 >= frames.Length ? 2 : i + 1 >= frames.Length - 10 ? 1 : 0;
            Assert.Equal(expectedEvents, h.Handler.Data.Count());
        }

        Assert.Equal([.. FrameBuilder.Pattern(300), 9], h.Handler.BodyOf(1));
        Assert.Equal(0, h.UnconsumedLength);
    }
}
