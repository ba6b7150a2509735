using System.Buffers.Binary;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Frames a client should not send, or sends rarely: random type, flags, stream id and payload; or a known type with
/// a payload of the right shape and a random value in it (SETTINGS values, window increments, error codes, priority
/// fields, padding lengths), aimed at the rules of §4–§6.
/// </summary>
internal static class RandomFrames
{
    public static ClientFrame Any(Random random, Http2Limits limits, int lastStreamId) => random.Next(3) == 0
        ? Raw(random, (FrameType)(random.Next(4) == 0 ? random.Next(256) : random.Next(0, 11)), StreamId(random, lastStreamId), Payload(random, random.Next(0, 48)))
        : Shaped(random, limits, lastStreamId);

    /// <summary>A random but plausible stream id: 0, an opened or the next one, even, far ahead, or the largest.</summary>
    public static int StreamId(Random random, int lastStreamId) => random.Next(8) switch
    {
        0 => 0,
        1 => random.Next(1, lastStreamId + 2) | 1,
        2 => 2 * random.Next(1, 10),
        3 => int.MaxValue,
        4 => lastStreamId + 2,
        5 => random.Next(1, 1000),
        _ => Math.Max(1, lastStreamId - 2 * random.Next(0, 4)),
    };

    private static ClientFrame Shaped(Random random, Http2Limits limits, int lastStreamId)
    {
        int id = StreamId(random, lastStreamId);
        switch (random.Next(14))
        {
            case 0:
                return ClientFrame.Of(FrameBuilder.Settings([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Setting(random))]));
            case 1:
                return Raw(random, FrameType.Settings, 0, Payload(random, random.Next(1, 4) * 6 + (random.Next(3) == 0 ? random.Next(1, 6) : 0)), FrameFlags.Ack);
            case 2:
                return ClientFrame.Of(FrameBuilder.WindowUpdate(random.Next(2) == 0 ? 0 : id, Increment(random)));
            case 3:
                return ClientFrame.Of(FrameBuilder.RstStream(id, (Http2ErrorCode)random.Next(0, 16)));
            case 4:
                return ClientFrame.Of(FrameBuilder.GoAway(random.Next(0, lastStreamId + 3), (Http2ErrorCode)random.Next(0, 16), random.Next(2) == 0 ? "" : "fuzz"));
            case 5:
                return ClientFrame.Of(FrameBuilder.Priority(id, random.Next(2) == 0 ? id : random.Next(0, 10), random.Next(2) == 0, (byte)random.Next(256)));
            case 6:
                return ClientFrame.Of(FrameBuilder.Ping((ulong)random.NextInt64(), ack: random.Next(2) == 0));
            case 7:
            {
                // Padding length that may reach or pass the payload (§6.1: PROTOCOL_ERROR).
                byte[] payload = Payload(random, random.Next(1, 40));
                payload[0] = (byte)random.Next(0, payload.Length + 3);
                return Raw(random, random.Next(2) == 0 ? FrameType.Data : FrameType.Headers, id, payload, FrameFlags.Padded);
            }

            case 8:
                // HEADERS with priority fields, maybe depending on itself (§5.3.1), with random HPACK.
                return ClientFrame.Of(FrameBuilder.HeadersFrame(id, HPackNoise.Block(random), (FrameFlags)random.Next(0, 2) | FrameFlags.EndHeaders,
                    priority: (random.Next(2) == 0 ? id : random.Next(0, 10), random.Next(2) == 0, (byte)random.Next(256))));
            case 9:
                return ClientFrame.Of(FrameBuilder.Continuation(id, HPackNoise.Block(random), random.Next(2) == 0));
            case 10:
                // DATA larger than any window the server granted, or exactly the frame size limit.
                return ClientFrame.Of(FrameBuilder.Data(id, random.Next(2) == 0 ? limits.MaxFrameSize : random.Next(0, 2000), random.Next(2) == 0));
            case 11:
            {
                byte[] payload = Payload(random, random.Next(4, 24));
                BinaryPrimitives.WriteInt32BigEndian(payload, random.Next(1, 100));
                return Raw(random, FrameType.PushPromise, id, payload, FrameFlags.EndHeaders);
            }

            case 12:
                // A frame announcing more than SETTINGS_MAX_FRAME_SIZE (§4.2); its payload is not all there.
                return ClientFrame.Of(FrameBuilder.HeaderOnly(limits.MaxFrameSize + random.Next(1, 100), (FrameType)random.Next(0, 11), FrameFlags.None, id));
            default:
                return Raw(random, (FrameType)random.Next(0, 11), id, Payload(random, OneOf(random, 0, 3, 4, 5, 6, 7, 8, 9, 12)));
        }
    }

    private static (SettingsParameter, uint) Setting(Random random) =>
        ((SettingsParameter)OneOf<int>(random, 1, 2, 3, 4, 5, 6, 8, 9, 0, 7, random.Next(0x10000)),
         OneOf<uint>(random, 0u, 1u, 2u, 16_383u, 16_384u, 65_535u, 1u << 24, (1u << 24) - 1, int.MaxValue, 1u << 31, uint.MaxValue, (uint)random.Next()));

    private static int Increment(Random random) => OneOf(random, 0, 1, 65_535, int.MaxValue, random.Next());

    private static ClientFrame Raw(Random random, FrameType type, int id, byte[] payload, FrameFlags flags = FrameFlags.None) =>
        ClientFrame.Of(FrameBuilder.Raw(type, flags | (FrameFlags)(random.Next(4) == 0 ? random.Next(256) : 0), id, payload));

    private static byte[] Payload(Random random, int length)
    {
        byte[] payload = new byte[length];
        random.NextBytes(payload);
        return payload;
    }

    private static T OneOf<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}
