using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>RFC 9113 §6.7 from the client's side: its own PINGs and their acknowledgements, and the server's PINGs.</summary>
public sealed class ClientPingTests
{
    [Fact]
    public void A_PING_goes_out_and_its_ACK_is_reported_with_the_same_opaque_data()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        h.Frames.Clear();

        Assert.True(h.Session.SendPing(0x0102030405060708));
        h.Drain();
        Frame ping = Assert.Single(h.Frames, f => f.Type == FrameType.Ping);
        Assert.False(ping.HasFlag(FrameFlags.Ack));
        Assert.Equal(0x0102030405060708UL, ping.PingData);
        Assert.Empty(h.Handler.PingAcks);

        h.Send(FrameBuilder.Ping(0x0102030405060708, ack: true));

        Assert.Equal([0x0102030405060708UL], h.Handler.PingAcks);
    }

    [Fact]
    public void A_server_PING_is_answered_and_not_reported_as_an_ACK()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        h.Frames.Clear();

        h.Send(FrameBuilder.Ping(99));
        h.Drain();

        Frame ack = Assert.Single(h.Frames, f => f.Type == FrameType.Ping);
        Assert.True(ack.HasFlag(FrameFlags.Ack));
        Assert.Equal(99UL, ack.PingData);
        Assert.Empty(h.Handler.PingAcks);
    }

    [Fact]
    public void Nothing_is_sent_once_the_session_is_closed()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        h.Session.OnTransportClosed("test");
        h.Frames.Clear();

        Assert.False(h.Session.SendPing(1));
        h.Drain();
        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.Ping);
    }

    [Fact]
    public void A_server_flooding_PINGs_is_enhance_your_calm()
    {
        // §10.5: each PING costs us an ACK. Three seconds' worth at once: no refill in between can cover it.
        const int limit = 10;
        using var h = new ClientSessionHarness(new Http2Limits { MaxPingsPerSecond = limit });
        h.Handshake();
        h.Frames.Clear();

        h.Send([.. Enumerable.Range(0, 3 * limit).Select(i => FrameBuilder.Ping((ulong)i))]);

        Frame goAway = h.AssertGoAway(Http2ErrorCode.EnhanceYourCalm);
        Assert.Contains("PING", goAway.DebugData);
        Assert.InRange(h.Frames.Count(f => f.IsAck), limit, 2 * limit);
    }

    [Fact]
    public void A_server_resetting_every_request_is_not_a_flood()
    {
        // The rapid-reset guard is the server's: a client's streams are its own requests.
        using var h = new ClientSessionHarness(new Http2Limits { MaxResetStreamsPerSecond = 2 });
        h.Handshake();
        h.Frames.Clear();

        for (int i = 0; i < 10; i++)
        {
            int id = h.Get();
            h.Send(FrameBuilder.RstStream(id, Http2ErrorCode.RefusedStream));
        }

        Assert.DoesNotContain(h.Frames, f => f.Type == FrameType.GoAway);
        Assert.Equal(10, h.Handler.Resets.Count);
    }
}
