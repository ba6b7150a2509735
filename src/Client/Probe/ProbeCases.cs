using Http2Lab.Http2.Frames;
using K = Http2Lab.Client.Probe.Http2ProbeOutcomeKind;

namespace Http2Lab.Client.Probe;

/// <summary>The probe's cases: malformed payloads and RFC 9113 edge cases, each with the reactions the RFC allows.</summary>
internal static class ProbeCases
{
    private static Http2ProbeOutcome GoAway(Http2ErrorCode code) => new(K.GoAway, code);

    private static Http2ProbeOutcome Rst(Http2ErrorCode code) => new(K.RstStream, code);

    private static readonly Http2ProbeOutcome Response = new(K.Response);

    private static readonly Http2ProbeOutcome Ignored = new(K.Ignored);

    /// <summary>A stream error, which §5.4.1 lets an endpoint raise as a connection error.</summary>
    private static Http2ProbeOutcome[] StreamError(Http2ErrorCode code) => [Rst(code), GoAway(code)];

    /// <summary>§8.1.1: a malformed request is a stream error PROTOCOL_ERROR (a server may answer 400 first, §8.1.1).</summary>
    private static Http2ProbeOutcome[] Malformed => [Rst(Http2ErrorCode.ProtocolError), GoAway(Http2ErrorCode.ProtocolError), new(K.Response, Status: 400)];

    public static readonly IReadOnlyList<Http2ProbeCase> All =
    [
        new("valid GET", "RFC 9113 §8.3.1", f => f.Get(1), Response),
        new("GET with an empty CONTINUATION", "RFC 9113 §6.10", f => f
            .Headers(1, f.Block(f.Request()), endStream: true, endHeaders: false)
            .Raw(FrameType.Continuation, FrameFlags.EndHeaders, 1, []), Response),
        new("GET with padded HEADERS", "RFC 9113 §6.2", f =>
        {
            byte[] block = f.Block(f.Request());
            f.Raw(FrameType.Headers, FrameFlags.EndHeaders | FrameFlags.EndStream | FrameFlags.Padded, 1, [4, .. block, 0, 0, 0, 0]);
        }, Response),
        new("unknown frame type", "RFC 9113 §4.1, §5.5", f => f.Raw((FrameType)0x42, FrameFlags.None, 0, [1, 2, 3]), Ignored),
        new("frame above SETTINGS_MAX_FRAME_SIZE", "RFC 9113 §4.2", f => f.Raw(FrameType.Headers, FrameFlags.EndHeaders, 1, new byte[16_385]),
            GoAway(Http2ErrorCode.FrameSizeError)),
        new("HPACK index 0", "RFC 7541 §6.1, RFC 9113 §4.3", f => f.Headers(1, [0x80]), GoAway(Http2ErrorCode.CompressionError)),
        new("even stream id", "RFC 9113 §5.1.1", f => f.Get(2), GoAway(Http2ErrorCode.ProtocolError)),
        new("decreasing stream id", "RFC 9113 §5.1.1", f => f.Get(5).Get(3), GoAway(Http2ErrorCode.ProtocolError)),
        new("DATA on an idle stream", "RFC 9113 §5.1", f => f.Data(1, 8, endStream: true), GoAway(Http2ErrorCode.ProtocolError)),
        new("RST_STREAM on an idle stream", "RFC 9113 §5.1, §6.4", f => f.RstStream(1, Http2ErrorCode.Cancel), GoAway(Http2ErrorCode.ProtocolError)),
        new("DATA after END_STREAM", "RFC 9113 §5.1", f => f.Get(1).Data(1, 8, endStream: true), StreamError(Http2ErrorCode.StreamClosed)),
        new("stream depending on itself", "RFC 9113 §5.3.1", f => f.Get(1).Priority(3, 3), StreamError(Http2ErrorCode.ProtocolError)),
        new("DATA on stream 0", "RFC 9113 §6.1", f => f.Data(0, 8, endStream: false), GoAway(Http2ErrorCode.ProtocolError)),
        new("padding longer than the payload", "RFC 9113 §6.1", f => f
            .Headers(1, f.Block(f.Request("POST")), endStream: false)
            .Raw(FrameType.Data, FrameFlags.Padded | FrameFlags.EndStream, 1, [10, 0, 0]), GoAway(Http2ErrorCode.ProtocolError)),
        new("HEADERS on stream 0", "RFC 9113 §6.2", f => f.Headers(0, f.Block(f.Request())), GoAway(Http2ErrorCode.ProtocolError)),
        new("SETTINGS with a partial entry", "RFC 9113 §6.5", f => f.Raw(FrameType.Settings, FrameFlags.None, 0, [0, 3, 0, 0, 0]),
            GoAway(Http2ErrorCode.FrameSizeError)),
        new("SETTINGS ACK with a payload", "RFC 9113 §6.5", f => f.Raw(FrameType.Settings, FrameFlags.Ack, 0, [0, 3, 0, 0, 0, 1]),
            GoAway(Http2ErrorCode.FrameSizeError)),
        new("SETTINGS_ENABLE_PUSH 2", "RFC 9113 §6.5.2", f => f.Settings((SettingsParameter.EnablePush, 2)), GoAway(Http2ErrorCode.ProtocolError)),
        new("SETTINGS_INITIAL_WINDOW_SIZE 2^31", "RFC 9113 §6.5.2", f => f.Settings((SettingsParameter.InitialWindowSize, 1u << 31)),
            GoAway(Http2ErrorCode.FlowControlError)),
        new("SETTINGS_MAX_FRAME_SIZE 16383", "RFC 9113 §6.5.2", f => f.Settings((SettingsParameter.MaxFrameSize, 16_383)),
            GoAway(Http2ErrorCode.ProtocolError)),
        new("PING of 7 octets", "RFC 9113 §6.7", f => f.Raw(FrameType.Ping, FrameFlags.None, 0, new byte[7]), GoAway(Http2ErrorCode.FrameSizeError)),
        new("PING on a stream", "RFC 9113 §6.7", f => f.Raw(FrameType.Ping, FrameFlags.None, 1, new byte[8]), GoAway(Http2ErrorCode.ProtocolError)),
        new("GOAWAY on a stream", "RFC 9113 §6.8", f => f.Raw(FrameType.GoAway, FrameFlags.None, 1, new byte[8]), GoAway(Http2ErrorCode.ProtocolError)),
        new("WINDOW_UPDATE of 0 on the connection", "RFC 9113 §6.9", f => f.WindowUpdate(0, 0), GoAway(Http2ErrorCode.ProtocolError)),
        new("connection window above 2^31-1", "RFC 9113 §6.9.1", f => f.WindowUpdate(0, 0x7fffffff),
            GoAway(Http2ErrorCode.FlowControlError)),
        new("HEADERS interrupted by another frame", "RFC 9113 §6.10", f => f
            .Headers(1, f.Block(f.Request()), endStream: true, endHeaders: false), GoAway(Http2ErrorCode.ProtocolError)),
        new("CONTINUATION without HEADERS", "RFC 9113 §6.10", f => f.Raw(FrameType.Continuation, FrameFlags.EndHeaders, 1, f.Block(f.Request())),
            GoAway(Http2ErrorCode.ProtocolError)),
        new("uppercase header name", "RFC 9113 §8.2.1", f => f.Headers(1, f.Block([.. f.Request(), ("X-Upper", "1")])), Malformed),
        new("connection-specific header", "RFC 9113 §8.2.2", f => f.Headers(1, f.Block([.. f.Request(), ("connection", "keep-alive")])), Malformed),
        new("te other than trailers", "RFC 9113 §8.2.2", f => f.Headers(1, f.Block([.. f.Request(), ("te", "gzip")])), Malformed),
        new("pseudo-header after a regular one", "RFC 9113 §8.3", f => f.Headers(1, f.Block([("x-a", "1"), .. f.Request()])), Malformed),
        new("unknown pseudo-header", "RFC 9113 §8.3", f => f.Headers(1, f.Block([.. f.Request(), (":foo", "bar")])), Malformed),
        new("response pseudo-header in a request", "RFC 9113 §8.3", f => f.Headers(1, f.Block([.. f.Request(), (":status", "200")])), Malformed),
        new("missing :path", "RFC 9113 §8.3.1", f => f.Headers(1, f.Block((":method", "GET"), (":scheme", f.Scheme), (":authority", f.Authority))),
            Malformed),
        new("duplicate :method", "RFC 9113 §8.3.1", f => f.Headers(1, f.Block([.. f.Request(), (":method", "GET")])), Malformed),
        new("content-length larger than the body", "RFC 9113 §8.1.1", f => f
            .Headers(1, f.Block([.. f.Request("POST", "/"), ("content-length", "10")]), endStream: false)
            .Data(1, 4, endStream: true), Malformed),
    ];
}
