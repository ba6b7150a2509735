using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>RFC 9113 §3.4: the connection preface.</summary>
public class Section3_4_PrefaceTests
{
    [Fact]
    public void Server_preface_is_settings_with_our_limits_then_a_connection_window_update_to_one_mebibyte()
    {
        using var h = new SessionHarness();
        Assert.Equal(24, h.Send(FrameBuilder.Preface()));

        Assert.Collection(h.Frames,
            settings =>
            {
                Assert.Equal((FrameType.Settings, FrameFlags.None, 0), (settings.Type, settings.Flags, settings.StreamId));
                Assert.Equal(
                [
                    new(SettingsParameter.MaxConcurrentStreams, 100u),
                    new(SettingsParameter.InitialWindowSize, 786432u),
                    new(SettingsParameter.MaxFrameSize, 16384u),
                    new(SettingsParameter.MaxHeaderListSize, 32768u),
                    new(SettingsParameter.HeaderTableSize, 4096u),
                ], settings.Settings);
            },
            windowUpdate =>
            {
                Assert.Equal((FrameType.WindowUpdate, 0), (windowUpdate.Type, windowUpdate.StreamId));
                Assert.Equal(1024 * 1024 - 65535, windowUpdate.Increment);
            });
    }

    [Fact]
    public void Settings_advertise_configured_limits_and_no_window_update_when_the_connection_window_is_the_default()
    {
        using var h = new SessionHarness(new Http2Limits
        {
            MaxConcurrentStreams = 7, InitialStreamWindowSize = 100000, MaxFrameSize = 20000, MaxHeaderListSize = 5000,
            HeaderTableSize = 0, InitialConnectionWindowSize = 65535,
        });
        h.Send(FrameBuilder.Preface());
        Frame settings = Assert.Single(h.Frames);
        Assert.Equal(
        [
            new(SettingsParameter.MaxConcurrentStreams, 7u),
            new(SettingsParameter.InitialWindowSize, 100000u),
            new(SettingsParameter.MaxFrameSize, 20000u),
            new(SettingsParameter.MaxHeaderListSize, 5000u),
            new(SettingsParameter.HeaderTableSize, 0u),
        ], settings.Settings);
    }

    [Fact]
    public void Start_queues_the_server_preface_once_before_any_input()
    {
        using var h = new SessionHarness();
        h.Session.Start();
        h.Session.Start();
        h.Drain();
        Assert.Equal([FrameType.Settings, FrameType.WindowUpdate], h.TakeFrames().Select(f => f.Type));

        h.Send(FrameBuilder.Preface(), FrameBuilder.Settings());
        Frame ack = Assert.Single(h.Frames);
        Assert.Equal((FrameType.Settings, FrameFlags.Ack), (ack.Type, ack.Flags));
    }

    [Fact]
    public void Client_settings_are_acknowledged_with_an_empty_settings_ack()
    {
        using var h = new SessionHarness();
        h.Send(FrameBuilder.Preface(), FrameBuilder.Settings((SettingsParameter.EnablePush, 0), (SettingsParameter.MaxConcurrentStreams, 10)));
        Assert.Equal(3, h.Frames.Count);
        Assert.Equal((FrameType.Settings, FrameFlags.Ack, 0, 0), (h.Frames[2].Type, h.Frames[2].Flags, h.Frames[2].StreamId, h.Frames[2].Payload.Length));
    }

    [Fact]
    public void Empty_client_settings_are_acknowledged()
    {
        using var h = new SessionHarness();
        h.Send(FrameBuilder.Preface(), FrameBuilder.Settings());
        Assert.Equal((FrameType.Settings, FrameFlags.Ack), (h.Frames[^1].Type, h.Frames[^1].Flags));
    }

    [Fact]
    public void Our_settings_ack_from_the_client_is_not_answered()
    {
        using var h = new SessionHarness();
        h.Handshake();
        h.Send(FrameBuilder.SettingsAck());
        h.AssertNoOutput();
    }

    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")]
    [InlineData("HELLO THERE\r\n\r\n")] // a line, but not an HTTP/1.x request line
    [InlineData("GET / HTTP/2.0\r\n\r\n")]
    [InlineData("pri * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    public void Invalid_preface_is_a_connection_error_of_type_protocol_error(string preface)
    {
        using var h = new SessionHarness();
        byte[] bytes = Encoding.ASCII.GetBytes(preface);
        Assert.Equal(bytes.Length, h.Send(bytes));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Equal(0, goAway.LastStreamId);
        // §3.4: whatever the server sends, its SETTINGS comes first.
        Assert.Equal(FrameType.Settings, h.Frames[0].Type);
        Assert.Empty(h.Handler.Events);
    }

    [Fact]
    public void Invalid_preface_is_detected_at_the_first_diverging_octet()
    {
        using var h = new SessionHarness();
        h.Send("PRI * HTTP/2.0\r\n"u8.ToArray());
        h.AssertNoOutput();
        Assert.False(h.Session.IsCompleted);

        h.Send("\n"u8.ToArray()); // expected '\r'
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void Binary_that_is_not_the_preface_is_rejected_without_waiting_for_24_octets()
    {
        using var h = new SessionHarness();
        h.Send([0x16, 0x03, 0x01]); // a TLS ClientHello on a cleartext port
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("POST /upload HTTP/1.0\r\n")]
    [InlineData("PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n")]
    public void An_http1_request_gets_a_readable_505_in_http1_and_the_connection_ends(string request)
    {
        using var h = new SessionHarness();
        byte[] bytes = Encoding.ASCII.GetBytes(request);

        Assert.Equal(bytes.Length, h.Send(bytes, drain: false));

        string response = Encoding.ASCII.GetString(h.Session.PendingOutput.Span);
        Assert.StartsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n", response);
        Assert.Contains("\r\nconnection: close\r\n", response);
        string body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Contains($"\r\ncontent-length: {body.Length}\r\n", response);
        Assert.Contains("HTTP/2 only, with prior knowledge", body);
        Assert.True(h.Session.IsCompleted); // no SETTINGS, no GOAWAY: nothing an HTTP/1.1 client would show as noise
        Assert.Empty(h.Handler.Events);
    }

    [Fact]
    public void A_request_line_arriving_in_pieces_is_answered_once_it_is_complete()
    {
        using var h = new SessionHarness();
        Assert.Equal(0, h.Send("GET /index.ht"u8.ToArray(), drain: false));
        Assert.False(h.Session.HasPendingOutput);
        Assert.False(h.Session.IsCompleted);

        h.Send("ml HTTP/1.1\r\n"u8.ToArray(), drain: false);

        Assert.StartsWith("HTTP/1.1 505 ", Encoding.ASCII.GetString(h.Session.PendingOutput.Span));
    }

    [Fact]
    public void Preface_and_settings_split_at_every_octet_are_accepted()
    {
        using var h = new SessionHarness();
        byte[] bytes = FrameBuilder.Concat(FrameBuilder.Preface(), FrameBuilder.Settings((SettingsParameter.MaxFrameSize, 20000)));
        h.SendOctetByOctet(bytes);
        Assert.Equal(0, h.UnconsumedLength);
        Assert.Equal([FrameType.Settings, FrameType.WindowUpdate, FrameType.Settings], h.Frames.Select(f => f.Type));
        Assert.Equal(FrameFlags.Ack, h.Frames[2].Flags);
    }

    [Fact]
    public void Receive_consumes_nothing_of_an_incomplete_preface()
    {
        using var h = new SessionHarness();
        Assert.Equal(0, h.Send(FrameBuilder.Preface()[..23]));
        Assert.Equal(23, h.UnconsumedLength);
        Assert.Equal(24, h.Send([FrameBuilder.Preface()[23]]));
    }

    public static TheoryData<string, byte[]> NonSettingsFirstFrames => new()
    {
        { "PING", FrameBuilder.Ping(1) },
        { "WINDOW_UPDATE", FrameBuilder.WindowUpdate(0, 100) },
        { "SETTINGS ACK", FrameBuilder.SettingsAck() },
        { "HEADERS", FrameBuilder.Headers(1, [0x82, 0x87, 0x84], endStream: true) },
        { "DATA", FrameBuilder.Data(1, 3) },
        { "PRIORITY", FrameBuilder.Priority(1) },
        { "GOAWAY", FrameBuilder.GoAway(0, Http2ErrorCode.NoError) },
        { "unknown type", FrameBuilder.Raw((FrameType)0xFA, FrameFlags.None, 0, [1, 2]) },
    };

    [Theory]
    [MemberData(nameof(NonSettingsFirstFrames))]
    public void First_frame_after_the_preface_other_than_settings_is_a_protocol_error(string name, byte[] frame)
    {
        using var h = new SessionHarness();
        h.Send(FrameBuilder.Preface(), frame);
        Assert.Equal(FrameType.Settings, h.Frames[0].Type);
        Frame goAway = h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Contains("SETTINGS", goAway.DebugData);
        Assert.Empty(h.Handler.Events);
        _ = name;
    }

    [Fact]
    public void After_a_connection_error_all_input_is_consumed_and_ignored()
    {
        using var h = new SessionHarness();
        h.Send(FrameBuilder.Preface(), FrameBuilder.Ping(1));
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        h.Frames.Clear();

        byte[] more = FrameBuilder.Concat(FrameBuilder.Settings(), FrameBuilder.Ping(2), [1, 2, 3]);
        Assert.Equal(more.Length, h.Send(more));
        h.AssertNoOutput();
    }
}
