using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §6.2: HEADERS (and §4.3 header compression, §6.5.2 MAX_HEADER_LIST_SIZE).</summary>
public class Section6_2_HeadersTests
{
    [Fact]
    public void Request_head_is_decoded_with_pseudo_headers_and_fields_in_order()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(
            [.. FrameBuilder.RequestFields("POST", "/a/b?c=d", "http", "example.org:8080"), ("accept", "*/*"), ("x-one", "1"), ("x-two", "2")]),
            endStream: false));
        RequestEvent request = Assert.Single(h.Handler.Requests);
        Assert.Equal(("POST", "http", "example.org:8080", "/a/b?c=d", (string?)null), (request.Request.Method, request.Request.Scheme,
            request.Request.Authority, request.Request.Path, request.Request.Protocol));
        Assert.Equal([new("accept", "*/*"), new("x-one", "1"), new("x-two", "2")], request.Request.Headers);
        Assert.Null(request.Request.ContentLength);
        Assert.False(request.EndStream);
        h.AssertNoOutput();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(200)]
    public void Padded_headers_are_accepted(int padLength)
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields("GET", "/padded"));
        h.Send(FrameBuilder.HeadersFrame(1, block, FrameFlags.EndHeaders | FrameFlags.EndStream, padLength));
        Assert.Equal("/padded", Assert.Single(h.Handler.Requests).Request.Path);
        h.AssertNoOutput();
    }

    [Theory]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 3, 0x82, 0x84 })]
    [InlineData(new byte[] { 200, 0x82 })]
    public void Headers_padding_not_shorter_than_the_payload_is_a_protocol_error(byte[] payload)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Headers, FrameFlags.Padded | FrameFlags.EndHeaders, 1, payload));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Requests);
    }

    [Fact]
    public void Priority_flag_fields_are_skipped()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields("GET", "/prio"));
        h.Send(FrameBuilder.HeadersFrame(1, block, FrameFlags.EndHeaders | FrameFlags.EndStream, priority: (0, true, 255)));
        Assert.Equal("/prio", Assert.Single(h.Handler.Requests).Request.Path);
        h.AssertNoOutput();
    }

    [Fact]
    public void Priority_flag_fields_and_padding_together_are_skipped()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: false);
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields("GET", "/both"));
        h.Send(FrameBuilder.HeadersFrame(3, block, FrameFlags.EndHeaders, padLength: 17, priority: (1, false, 16)));
        Assert.Equal("/both", Assert.Single(h.Handler.Requests, r => r.StreamId == 3).Request.Path);
        h.AssertNoOutput();
    }

    [Fact]
    public void Priority_flag_without_room_for_its_fields_is_a_frame_size_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Raw(FrameType.Headers, FrameFlags.Priority | FrameFlags.EndHeaders, 1, [0, 0, 0, 0]));
        h.AssertGoAway(Http2ErrorCode.FrameSizeError);
    }

    [Fact]
    public void Headers_depending_on_their_own_stream_are_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields());
        h.Send(FrameBuilder.HeadersFrame(1, block, FrameFlags.EndHeaders | FrameFlags.EndStream, priority: (1, false, 16)));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Events);
        h.AssertAlive();
        h.Request(3); // the connection and its HPACK context still work
    }

    [Fact]
    public void Trailers_are_delivered_after_the_body()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1), FrameBuilder.Data(1, 3),
            FrameBuilder.Headers(1, h.Client.HeaderBlock(("grpc-status", "0"), ("grpc-message", "ok")), endStream: true));
        Assert.Equal([typeof(RequestEvent), typeof(DataEvent), typeof(TrailersEvent)], h.Handler.Events.Select(e => e.GetType()));
        Assert.Equal([new("grpc-status", "0"), new("grpc-message", "ok")], Assert.Single(h.Handler.Trailers).Trailers);
        h.AssertNoOutput();
        h.Respond(1);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Fact]
    public void Trailers_without_end_stream_are_a_stream_error_protocol_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1), FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-trailer", "1")), endStream: false));
        h.AssertRst(1, Http2ErrorCode.ProtocolError);
        Assert.Empty(h.Handler.Trailers);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.ProtocolError)], h.Handler.Resets);
    }

    [Fact]
    public void Headers_on_a_half_closed_remote_stream_are_a_connection_error_stream_closed()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1, endStream: true);
        h.Send(FrameBuilder.Headers(1, h.Client.HeaderBlock(("x-trailer", "1")), endStream: true));
        h.AssertGoAway(Http2ErrorCode.StreamClosed);
        Assert.Empty(h.Handler.Trailers);
    }

    public static TheoryData<string, byte[]> HpackGarbage => new()
    {
        { "index 0", [0x80] },
        { "index beyond the tables", [0xFF, 0x80, 0x01] },
        { "truncated string", [0x40, 0x05, 0x61] },
        { "truncated integer", [0xFF] },
        { "size update above the limit", [0x3F, 0xE2, 0x1F] },
        { "size update after a field", [0x82, 0x20] },
        { "Huffman EOS padding", [0x00, 0x81, 0xFF, 0x00] },
    };

    [Theory]
    [MemberData(nameof(HpackGarbage))]
    public void Undecodable_header_block_is_a_connection_error_compression_error(string name, byte[] block)
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.Headers(1, block, endStream: true));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.CompressionError);
        Assert.StartsWith("HPACK", goAway.DebugData);
        Assert.Empty(h.Handler.Requests);
        _ = name;
    }

    [Fact]
    public void Undecodable_trailers_are_a_connection_error_compression_error()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Post(1), FrameBuilder.Headers(1, [0x80], endStream: true));
        Assert.Equal(1, h.AssertGoAway(Http2ErrorCode.CompressionError).LastStreamId);
        Assert.Equal([new ResetEvent(1, Http2ErrorCode.CompressionError)], h.Handler.Resets);
    }

    private static (string, string)[] LargeHeaderList(int count, int valueLength) =>
        [.. Enumerable.Range(0, count).Select(i => ($"x-h{i}", new string('a', valueLength)))];

    [Fact]
    public void Header_list_over_32_kib_is_answered_with_431()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Request(1, endStream: true, LargeHeaderList(40, 1000)));
        Frame response = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Headers, 1, true), (response.Type, response.StreamId, response.EndStream));
        Assert.Equal("431", response.Status);
        Assert.Empty(h.Handler.Events);
        Assert.Equal(0, h.Session.ActiveStreamCount);
        h.Frames.Clear();

        // The rejected block was decoded: the client's dynamic table entries are usable.
        RequestEvent next = h.Request(3, endStream: true, ("x-h39", new string('a', 1000)));
        Assert.Contains(new KeyValuePair<string, string>("x-h39", new string('a', 1000)), next.Request.Headers);
    }

    [Fact]
    public void A_single_header_value_over_32_kib_is_answered_with_431_and_the_connection_lives()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Request(1, endStream: true, ("cookie", new string('c', 40 * 1024))));
        Frame response = Assert.Single(h.Frames);
        Assert.Equal("431", response.Status);
        Assert.Empty(h.Handler.Events);
        h.Frames.Clear();

        h.Request(3);
        h.AssertAlive();
    }

    [Fact]
    public void Header_list_over_32_kib_with_a_body_to_follow_gets_431_and_the_body_is_discarded()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Request(1, endStream: false, LargeHeaderList(40, 1000)));
        Frame response = Assert.Single(h.Frames);
        Assert.Equal(("431", true), (response.Status, response.EndStream));
        h.Frames.Clear();

        h.Send(FrameBuilder.Data(1, 100, endStream: true));
        h.AssertNoOutput();
        Assert.Empty(h.Handler.Events);
        Assert.Equal(0, h.Session.ActiveStreamCount);
    }

    [Theory]
    [InlineData(32556, false)]
    [InlineData(32557, true)]
    public void Header_list_size_counts_32_octets_per_field_up_to_exactly_the_limit(int valueLength, bool rejected)
    {
        // :method GET (42) + :scheme https (44) + :authority localhost (51) + :path / (38) + x-pad (37 + value) = 212 + value.
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(h.Client.Request(1, endStream: true, ("x-pad", new string('p', valueLength))));
        Assert.Equal(rejected, h.Handler.Requests.Count() == 0);
        Assert.Equal(rejected ? "431" : null, h.Frames.SingleOrDefault()?.Status);
    }

    [Fact]
    public void Response_headers_are_encoded_with_status_first()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Respond(1, 201, body: [1], true, ("content-type", "text/plain"), ("set-cookie", "a=b"), ("x-empty", ""));
        Frame headers = h.Frames[0];
        Assert.Equal((FrameType.Headers, FrameFlags.EndHeaders), (headers.Type, headers.Flags));
        Assert.Equal([new(":status", "201"), new("content-type", "text/plain"), new("set-cookie", "a=b"), new("x-empty", "")], headers.Headers);
    }

    [Fact]
    public void Response_header_blocks_share_the_connection_dynamic_table()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Request(1);
        h.Request(3);
        h.Respond(1, headers: ("x-served-by", "node-17.example"));
        h.Respond(3, headers: ("x-served-by", "node-17.example"));
        Frame[] headers = [.. h.Frames.Where(f => f.Type == FrameType.Headers)];
        Assert.Equal("node-17.example", headers[1].Header("x-served-by"));
        Assert.True(headers[1].HeaderBlock!.Length < headers[0].HeaderBlock!.Length);
        Assert.Equal(1, h.ResponseDecoder.DynamicTableCount);
    }

    [Fact]
    public void Never_indexed_request_fields_are_delivered()
    {
        using var h = new SessionHarness();
        h.Handshake();
        byte[] block = FrameBuilder.Concat(
            h.Client.HeaderBlock(FrameBuilder.RequestFields()),
            h.Client.HeaderBlock(HeaderIndexing.NeverIndexed, ("authorization", "Bearer x")));
        h.Send(FrameBuilder.Headers(1, block, endStream: true));
        Assert.Contains(new KeyValuePair<string, string>("authorization", "Bearer x"), Assert.Single(h.Handler.Requests).Request.Headers);
    }
}
