using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>RFC 9113 §8.1, §8.3.2: what a client accepts as a response.</summary>
public sealed class ClientResponseValidationTests
{
    [Fact]
    public void A_valid_response_with_body_reaches_the_handler()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();

        h.Respond(id, endStream: false, (":status", "200"), ("content-type", "text/plain"), ("content-length", "5"));
        h.Send(FrameBuilder.Data(id, "hello"u8.ToArray(), endStream: true));

        var response = Assert.Single(h.Handler.Responses);
        Assert.Equal((id, 200, false), (response.StreamId, response.Status, response.EndStream));
        Assert.Contains(new KeyValuePair<string, string>("content-type", "text/plain"), response.Headers);
        Assert.Equal("hello"u8.ToArray(), Assert.Single(h.Handler.Data).Data);
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Theory]
    [InlineData("2x0")]
    [InlineData("20")]
    [InlineData("2000")]
    [InlineData("099")]
    [InlineData("")]
    [InlineData("101")]
    public void An_invalid_status_is_a_stream_error_PROTOCOL_ERROR(string status)
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();

        h.Respond(id, endStream: true, (":status", status));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Responses);
        Assert.Equal((id, Http2ErrorCode.ProtocolError, false), Assert.Single(h.Handler.Resets));
    }

    [Fact]
    public void A_response_that_depends_on_its_own_stream_is_a_stream_error_PROTOCOL_ERROR()
    {
        // §5.3.1: a stream cannot depend on itself; the server's HEADERS say it does.
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        int other = h.Get();
        h.Frames.Clear();

        h.Send(FrameBuilder.HeadersFrame(id, h.Server.HeaderBlock((":status", "200")), FrameFlags.EndHeaders | FrameFlags.EndStream,
            priority: (id, false, 15)));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Responses);
        Assert.Equal((id, Http2ErrorCode.ProtocolError, false), Assert.Single(h.Handler.Resets));

        // A stream error only: the connection and the other request go on.
        h.Respond(other, endStream: true, (":status", "204"));
        Assert.Equal(other, Assert.Single(h.Handler.Responses).StreamId);
    }

    [Fact]
    public void A_response_without_status_is_a_stream_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();

        h.Respond(id, endStream: true, ("content-type", "text/plain"));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData(":path")]
    [InlineData(":method")]
    [InlineData(":scheme")]
    [InlineData(":authority")]
    public void Request_pseudo_headers_in_a_response_make_it_malformed(string pseudo)
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();

        h.Respond(id, endStream: true, (":status", "200"), (pseudo, "x"));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Responses);
    }

    [Fact]
    public void A_duplicate_status_makes_the_response_malformed()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();

        h.Respond(id, endStream: true, (":status", "200"), (":status", "204"));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Interim_responses_are_skipped_and_the_final_one_is_reported()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();

        h.Respond(id, endStream: false, (":status", "103"), ("link", "</style.css>"));
        h.Respond(id, endStream: true, (":status", "204"));

        Assert.Equal(204, Assert.Single(h.Handler.Responses).Status);
        Assert.Empty(h.Handler.Resets);
    }

    [Fact]
    public void Trailers_after_the_body_end_the_response()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();

        h.Respond(id, endStream: false, (":status", "200"));
        h.Send(FrameBuilder.Data(id, "abc"u8.ToArray()));
        h.Respond(id, endStream: true, ("grpc-status", "0"));

        var trailers = Assert.Single(h.Handler.Trailers);
        Assert.Equal(new KeyValuePair<string, string>("grpc-status", "0"), Assert.Single(trailers.Trailers));
        Assert.Empty(h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Trailers_without_END_STREAM_are_a_stream_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Respond(id, endStream: false, (":status", "200"));
        h.Frames.Clear();

        h.Respond(id, endStream: false, ("grpc-status", "0"));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void A_body_longer_than_content_length_is_a_stream_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Respond(id, endStream: false, (":status", "200"), ("content-length", "2"));
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(id, "abc"u8.ToArray(), endStream: true));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void DATA_before_the_response_HEADERS_is_a_stream_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(id, "abc"u8.ToArray(), endStream: true));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void RST_STREAM_from_the_server_ends_the_stream_and_REFUSED_STREAM_is_retryable()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int a = h.Get(), b = h.Get();

        h.Send(FrameBuilder.RstStream(a, Http2ErrorCode.Cancel), FrameBuilder.RstStream(b, Http2ErrorCode.RefusedStream));

        Assert.Equal([(a, Http2ErrorCode.Cancel, false), (b, Http2ErrorCode.RefusedStream, true)], h.Handler.Resets);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void A_response_header_block_split_over_CONTINUATION_frames_is_joined()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        byte[] block = h.Server.HeaderBlock((":status", "200"), ("x-long", new string('v', 20_000)));

        h.Send(FrameBuilder.Headers(id, block, endStream: true)); // HEADERS + CONTINUATIONs at 16 KiB

        var response = Assert.Single(h.Handler.Responses);
        Assert.Equal(20_000, response.Headers.Single(f => f.Key == "x-long").Value.Length);
    }

    [Fact]
    public void A_frame_interleaved_in_a_response_header_block_is_a_connection_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();
        byte[] block = h.Server.HeaderBlock((":status", "200"));

        h.Send(FrameBuilder.HeadersFrame(id, block, FrameFlags.EndStream), FrameBuilder.Ping(1));

        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Request_headers_larger_than_the_server_frame_size_go_out_as_HEADERS_and_CONTINUATION()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();

        int id = h.Get("/", endStream: true, ("x-big", new string('b', 40_000)));

        Frame headers = Assert.Single(h.Frames, f => f.Type == FrameType.Headers);
        Assert.Equal(id, headers.StreamId);
        Assert.Equal(40_000, headers.Header("x-big")!.Length); // the harness joined the CONTINUATIONs
    }

    [Fact]
    public void A_response_header_list_above_our_limit_is_a_stream_error()
    {
        using var h = new ClientSessionHarness(new Http2Limits { MaxHeaderListSize = 1000 });
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();

        h.Respond(id, endStream: true, (":status", "200"), ("x-long", new string('v', 2000)));

        h.AssertRst(id, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Responses);
    }

    [Fact]
    public void DATA_after_the_response_END_STREAM_is_a_connection_error_STREAM_CLOSED()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get("/upload", endStream: false); // our request stays open: the stream is half-closed (remote)
        h.Respond(id, endStream: true, (":status", "200"));
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(id, new byte[10], endStream: false));

        h.AssertGoAway(Http2ErrorCode.StreamClosed); // §5.1: the same answer once the stream has closed
    }

    [Fact]
    public void An_invalid_frame_on_a_stream_we_reset_is_ignored()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Session.ResetStream(id, Http2ErrorCode.Cancel);
        h.Drain();
        h.Frames.Clear();

        h.Send(FrameBuilder.Raw(FrameType.WindowUpdate, FrameFlags.None, id, [0, 0, 0, 0])); // increment 0 (§6.9)

        Assert.DoesNotContain(h.Frames, f => f.Type is FrameType.RstStream or FrameType.GoAway); // §5.4.2: in flight
    }
}
