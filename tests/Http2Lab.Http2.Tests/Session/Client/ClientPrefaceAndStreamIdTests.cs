using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>RFC 9113 §3.4 and §5.1.1 from the client's side: who sends the preface, which stream ids a client uses.</summary>
public sealed class ClientPrefaceAndStreamIdTests
{
    [Fact]
    public void The_client_sends_the_preface_then_SETTINGS_with_ENABLE_PUSH_0()
    {
        using var h = new ClientSessionHarness();
        h.Session.Start();
        h.Drain();

        Assert.True(h.RawOutput.AsSpan().StartsWith(Http2Constants.ClientPreface));
        Frame settings = h.Frames[0];
        Assert.Equal((FrameType.Settings, FrameFlags.None), (settings.Type, settings.Flags));
        Assert.Contains(new KeyValuePair<SettingsParameter, uint>(SettingsParameter.EnablePush, 0), settings.Settings);
    }

    [Fact]
    public void Requests_use_odd_increasing_stream_ids()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();

        int[] ids = [h.Get(), h.Get(), h.Get()];

        Assert.Equal([1, 3, 5], ids);
        Assert.Equal([1, 3, 5], h.Frames.Where(f => f.Type == FrameType.Headers).Select(f => f.StreamId));
        Frame first = h.Frames[0];
        Assert.Equal("GET", first.Header(":method"));
        Assert.Equal("/", first.Header(":path"));
        Assert.True(first.EndStream);
    }

    [Fact]
    public void A_first_server_frame_other_than_SETTINGS_is_a_connection_error()
    {
        using var h = new ClientSessionHarness();
        h.Session.Start();
        h.Drain();
        h.Frames.Clear();

        h.Send(FrameBuilder.Ping(1));

        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void A_server_SETTINGS_with_ENABLE_PUSH_1_is_a_connection_error()
    {
        using var h = new ClientSessionHarness();
        h.Session.Start();
        h.Drain();
        h.Frames.Clear();

        h.Send(FrameBuilder.Settings((SettingsParameter.EnablePush, 1)));

        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void PUSH_PROMISE_is_a_connection_error_PROTOCOL_ERROR_since_push_is_disabled()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        int id = h.Get();
        h.Frames.Clear();
        byte[] payload = [0, 0, 0, 2, .. h.Server.HeaderBlock(FrameBuilder.RequestFields())];

        h.Send(FrameBuilder.Raw(FrameType.PushPromise, FrameFlags.EndHeaders, id, payload));

        h.AssertGoAway(Http2ErrorCode.ProtocolError);
        Assert.Contains(h.Handler.Resets, r => r.StreamId == id && r.Code == Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void HEADERS_on_an_even_stream_the_server_may_not_open_is_a_connection_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();

        h.Respond(2, endStream: true, (":status", "200"));

        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void HEADERS_on_a_stream_not_yet_opened_is_a_connection_error()
    {
        using var h = new ClientSessionHarness();
        h.Handshake();
        h.Get();
        h.Frames.Clear();

        h.Respond(3, endStream: true, (":status", "200"));

        h.AssertGoAway(Http2ErrorCode.ProtocolError);
    }
}
