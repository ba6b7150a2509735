using Http2Lab.Http2.Frames;

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
}
