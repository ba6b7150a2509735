using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// Connection deadlines checked by <see cref="Http2Session.OnHeartbeat"/>: the client's preface and first SETTINGS
/// (ClientPrefaceTimeout), the ACK of our SETTINGS (RFC 9113 §6.5.3) and the time one field block may take
/// (RequestHeadersTimeout). Time moves only through the harness's <see cref="ManualTimeProvider"/>.
/// </summary>
public class ConnectionTimeoutTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private static Http2Limits Limits() => new()
    {
        ClientPrefaceTimeout = TimeSpan.FromSeconds(10),
        SettingsAckTimeout = TimeSpan.FromSeconds(10),
        RequestHeadersTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public void No_preface_within_the_client_preface_timeout_is_goaway_protocol_error()
    {
        using var h = new SessionHarness(Limits());
        h.Heartbeat();
        h.AdvanceAndBeat(TimeSpan.FromSeconds(10));
        h.AssertNoOutput();
        Assert.False(h.Session.IsCompleted);

        h.AdvanceAndBeat(Second);
        // §3.4: our SETTINGS still come first, even before a GOAWAY.
        Assert.Equal([FrameType.Settings, FrameType.WindowUpdate, FrameType.GoAway], h.Frames.Select(f => f.Type));
        Frame goAway = h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Equal(0, goAway.LastStreamId);
        Assert.Contains("ClientPrefaceTimeout", goAway.DebugData);
    }

    [Fact]
    public void A_preface_without_settings_is_goaway_protocol_error_at_the_same_deadline()
    {
        using var h = new SessionHarness(Limits());
        h.Heartbeat();
        h.AdvanceAndBeat(TimeSpan.FromSeconds(5));
        h.Send(FrameBuilder.Preface());
        h.Frames.Clear(); // our preface

        h.AdvanceAndBeat(TimeSpan.FromSeconds(5));
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void A_client_that_sends_preface_and_settings_in_time_is_not_affected()
    {
        using var h = new SessionHarness(Limits());
        h.Heartbeat();
        h.AdvanceAndBeat(TimeSpan.FromSeconds(9));
        h.Handshake();

        h.AdvanceAndBeat(TimeSpan.FromSeconds(60));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Settings_not_acknowledged_within_the_timeout_is_goaway_settings_timeout()
    {
        using var h = new SessionHarness(Limits());
        h.Heartbeat();
        h.Send(FrameBuilder.Preface(), FrameBuilder.Settings());
        h.Frames.Clear(); // our SETTINGS, WINDOW_UPDATE and the ACK of the client's SETTINGS

        h.AdvanceAndBeat(TimeSpan.FromSeconds(10));
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        Frame goAway = h.AssertGoAway(Http2ErrorCode.SettingsTimeout);
        Assert.Contains("6.5.3", goAway.DebugData);
    }

    [Fact]
    public void Settings_acknowledged_in_time_are_never_timed_out()
    {
        using var h = new SessionHarness(Limits());
        h.Heartbeat();
        h.Send(FrameBuilder.Preface(), FrameBuilder.Settings());
        h.AdvanceAndBeat(TimeSpan.FromSeconds(9));
        h.Send(FrameBuilder.SettingsAck());
        h.Frames.Clear();

        h.AdvanceAndBeat(TimeSpan.FromSeconds(60));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Headers_without_end_headers_and_no_continuation_is_goaway_enhance_your_calm()
    {
        using var h = new SessionHarness(Limits());
        h.Handshake();
        h.Heartbeat();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields());
        h.Send(FrameBuilder.HeadersFrame(1, block[..3], FrameFlags.EndStream));

        h.AdvanceAndBeat(TimeSpan.FromSeconds(30));
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        Frame goAway = h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
        Assert.Contains("RequestHeadersTimeout", goAway.DebugData);
        Assert.Empty(h.Handler.Events);
    }

    [Fact]
    public void Continuations_that_trickle_in_do_not_extend_the_deadline()
    {
        using var h = new SessionHarness(Limits());
        h.Handshake();
        h.Heartbeat();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields());
        Assert.True(block.Length > 5);
        h.Send(FrameBuilder.HeadersFrame(1, block[..1], FrameFlags.EndStream));
        for (int i = 1; i <= 3; i++)
        {
            h.AdvanceAndBeat(TimeSpan.FromSeconds(10));
            h.Send(FrameBuilder.Continuation(1, block[i..(i + 1)], endHeaders: false));
        }

        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
    }

    [Fact]
    public void A_field_block_completed_in_time_is_not_affected()
    {
        using var h = new SessionHarness(Limits());
        h.Handshake();
        h.Heartbeat();
        byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields());
        h.Send(FrameBuilder.HeadersFrame(1, block[..3], FrameFlags.EndStream));
        h.AdvanceAndBeat(TimeSpan.FromSeconds(29));
        h.Send(FrameBuilder.Continuation(1, block[3..], endHeaders: true));
        Assert.Single(h.Handler.Requests);

        // The request stays unanswered: only the keep-alive rules apply now, and an open stream keeps it alive.
        h.AdvanceAndBeat(TimeSpan.FromSeconds(120));
        h.AssertNoOutput();
        h.AssertAlive();
    }

    [Fact]
    public void Each_field_block_gets_its_own_deadline()
    {
        using var h = new SessionHarness(Limits());
        h.Handshake();
        h.Heartbeat();
        for (int id = 1; id <= 7; id += 2)
        {
            byte[] block = h.Client.HeaderBlock(FrameBuilder.RequestFields());
            h.Send(FrameBuilder.HeadersFrame(id, block[..2], FrameFlags.EndStream));
            h.AdvanceAndBeat(TimeSpan.FromSeconds(20));
            h.Send(FrameBuilder.Continuation(id, block[2..], endHeaders: true));
        }

        Assert.Equal(4, h.Handler.Requests.Count());
        h.AssertNoOutput();
    }

    [Theory]
    [InlineData(0)]  // the 9-octet frame header only
    [InlineData(1)]
    [InlineData(-1)] // all but the last octet
    public void A_headers_frame_only_partly_received_counts_as_a_started_field_block(int payloadOctets)
    {
        using var h = new SessionHarness(Limits());
        h.Handshake();
        h.Heartbeat();
        byte[] frame = h.Client.Request(1);
        int length = payloadOctets >= 0 ? 9 + payloadOctets : frame.Length + payloadOctets;
        h.Send(frame[..length]);
        Assert.Equal(length, h.UnconsumedLength);

        h.AdvanceAndBeat(TimeSpan.FromSeconds(30));
        h.AssertNoOutput();
        h.AdvanceAndBeat(Second);
        h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
        Assert.Empty(h.Handler.Events);
    }

    [Fact]
    public void A_partly_received_data_frame_does_not_start_the_field_block_deadline()
    {
        Http2Limits limits = Limits();
        limits.MinRequestBodyDataRate = 0; // isolate the field-block deadline from the body's data rate
        using var h = new SessionHarness(limits);
        h.Handshake();
        h.Request(1, endStream: false);
        h.Heartbeat();
        h.Send(FrameBuilder.Data(1, 1000)[..509]);

        h.AdvanceAndBeat(TimeSpan.FromSeconds(60));
        h.AssertNoOutput();
        Assert.False(h.Session.IsCompleted); // (no PING to prove it: the DATA frame is still incomplete)
    }
}
