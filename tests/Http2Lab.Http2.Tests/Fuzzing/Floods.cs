using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Many cheap frames in a row, the shape of the known HTTP/2 denial-of-service patterns: PING, SETTINGS, PRIORITY
/// and WINDOW_UPDATE floods, rapid reset (CVE-2023-44487), endless CONTINUATION, requests beyond the concurrency
/// limit, and DATA beyond the windows. They reach the rate limits, input backpressure and flow-control errors.
/// </summary>
internal static class Floods
{
    /// <summary>A request from the static table only (RFC 7541 Appendix A), so it needs no dynamic-table state.</summary>
    private static readonly byte[] StaticRequest = [0x82, 0x87, 0x84, 0x01, 0x09, .. "localhost"u8];

    public static List<ClientFrame> Any(Random random, Http2Limits limits, int lastStreamId, out string description)
    {
        int count = random.Next(10, 400);
        int id = lastStreamId + 2;
        var frames = new List<ClientFrame>();
        switch (random.Next(8))
        {
            case 0:
                description = $"{count} PINGs";
                for (int i = 0; i < count; i++)
                {
                    frames.Add(ClientFrame.Of(FrameBuilder.Ping((ulong)i)));
                }

                break;
            case 1:
                description = $"{count} empty SETTINGS";
                for (int i = 0; i < count; i++)
                {
                    frames.Add(ClientFrame.Of(FrameBuilder.Settings()));
                }

                break;
            case 2:
                description = $"{count} PRIORITY and WINDOW_UPDATE";
                for (int i = 0; i < count; i++)
                {
                    frames.Add(ClientFrame.Of(random.Next(2) == 0
                        ? FrameBuilder.Priority(2 * random.Next(0, 200) + 1, 0)
                        : FrameBuilder.WindowUpdate(random.Next(2) == 0 ? 0 : lastStreamId, 1)));
                }

                break;
            case 3:
                description = $"rapid reset of {count} streams from {id}";
                for (int i = 0; i < count; i++, id += 2)
                {
                    frames.Add(ClientFrame.Of(FrameBuilder.Headers(id, StaticRequest, endStream: random.Next(2) == 0)));
                    frames.Add(ClientFrame.Of(FrameBuilder.RstStream(id, Http2ErrorCode.Cancel)));
                }

                break;
            case 4:
                description = $"{count} CONTINUATIONs on stream {id}";
                frames.Add(ClientFrame.Of(FrameBuilder.HeadersFrame(id, StaticRequest, FrameFlags.EndStream)));
                for (int i = 0; i < count; i++)
                {
                    frames.Add(ClientFrame.Of(FrameBuilder.Continuation(id, i % 2 == 0 ? [] : [0x40 | 0x3F], endHeaders: false)));
                }

                break;
            case 5:
                description = $"{count} requests from {id} without reset";
                for (int i = 0; i < count; i++, id += 2)
                {
                    frames.Add(ClientFrame.Of(FrameBuilder.Headers(id, StaticRequest, endStream: true)));
                }

                break;
            case 6:
                description = $"{count / 10} DATA frames on stream {lastStreamId}";
                for (int i = 0; i < count / 10; i++)
                {
                    frames.Add(ClientFrame.Of(FrameBuilder.Data(lastStreamId, random.Next(1000, Http2Constants.DefaultMaxFrameSize + 1))));
                }

                break;
            default:
                // An open stream's window near the top, then SETTINGS that raise every window (§6.9.2: overflow).
                description = $"stream {lastStreamId} window raised to the limit, then SETTINGS_INITIAL_WINDOW_SIZE";
                frames.Add(ClientFrame.Of(FrameBuilder.WindowUpdate(lastStreamId, int.MaxValue - limits.InitialStreamWindowSize)));
                frames.Add(ClientFrame.Of(FrameBuilder.Settings((SettingsParameter.InitialWindowSize, (uint)random.Next(70_000, int.MaxValue)))));
                break;
        }

        return frames;
    }
}
