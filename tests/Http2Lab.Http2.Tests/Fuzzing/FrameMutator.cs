using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Mutates a generated conversation: flipped bits in frame headers and payloads, payload lengths truncated or
/// extended (so framing slips), HPACK blocks replaced by noise or with octets changed, random frames inserted,
/// frames dropped, duplicated or swapped, the reserved bit set, the preface damaged, the input cut short, floods.
/// Every mutation is described in the log given to <see cref="Mutate"/>, for the failure report.
/// </summary>
internal static class FrameMutator
{
    public static void Mutate(Random random, List<ClientFrame> frames, Http2Limits limits, int lastStreamId, List<string> log)
    {
        int count = random.Next(1, 5);
        for (int i = 0; i < count && frames.Count > 0; i++)
        {
            int at = random.Next(frames.Count);
            ClientFrame frame = frames[at];
            int kind = random.Next(14);
            if (frame.IsPreface && kind is not (5 or 6) && random.Next(8) != 0)
            {
                kind = 5; // the preface is rarely worth damaging: everything after it would be unreachable
            }

            switch (kind)
            {
                case 0: frames[at] = FlipBits(random, frame, 0, Math.Min(frame.Octets.Length, Http2Constants.FrameHeaderLength), 1, log, at); break;
                case 1: frames[at] = FlipBits(random, frame, Http2Constants.FrameHeaderLength, frame.Octets.Length, random.Next(1, 4), log, at); break;
                case 2: frames[at] = ChangeLength(random, frame, limits, log, at); break;
                case 3 when frame.HasFragment: frames[at] = ReplaceFragment(frame, HPackNoise.Block(random), log, at); break;
                case 4 when frame.HasFragment: frames[at] = CorruptFragment(random, frame, log, at); break;
                case 5:
                case 6:
                    int insertAt = random.Next(1, frames.Count + 1);
                    ClientFrame inserted = RandomFrames.Any(random, limits, lastStreamId);
                    frames.Insert(insertAt, inserted);
                    log.Add($"insert {inserted} at {insertAt}");
                    break;
                case 7: frames.RemoveAt(at); log.Add($"drop frame {at} ({frame})"); break;
                case 8: frames.Insert(at, frame); log.Add($"duplicate frame {at} ({frame})"); break;
                case 9 when at + 1 < frames.Count:
                    (frames[at], frames[at + 1]) = (frames[at + 1], frames[at]);
                    log.Add($"swap frames {at} and {at + 1}");
                    break;
                case 10 when !frame.IsPreface && frame.Octets.Length >= Http2Constants.FrameHeaderLength:
                    byte[] reserved = [.. frame.Octets];
                    reserved[5] |= 0x80;
                    frames[at] = new ClientFrame(reserved, frame.Type, frame.StreamId, frame.FragmentOffset, frame.FragmentLength);
                    log.Add($"set the reserved bit of frame {at} ({frame})");
                    break;
                case 11:
                    int cut = random.Next(frame.Octets.Length);
                    frames.RemoveRange(at, frames.Count - at);
                    frames.Add(new ClientFrame(frame.Octets[..cut], frame.Type, frame.StreamId));
                    log.Add($"cut the input in frame {at} ({frame}) after {cut} octets");
                    break;
                case 12:
                    frames[at] = FlipBits(random, frame, 0, frame.Octets.Length, random.Next(1, 6), log, at);
                    break;
                default:
                    int floodAt = random.Next(1, frames.Count + 1);
                    frames.InsertRange(floodAt, Floods.Any(random, limits, lastStreamId, out string flood));
                    log.Add($"insert a flood at {floodAt}: {flood}");
                    break;
            }
        }
    }

    private static ClientFrame FlipBits(Random random, ClientFrame frame, int from, int to, int bits, List<string> log, int at)
    {
        if (to <= from)
        {
            return frame;
        }

        byte[] octets = [.. frame.Octets];
        for (int i = 0; i < bits; i++)
        {
            int position = random.Next(from, to);
            int bit = random.Next(8);
            octets[position] ^= (byte)(1 << bit);
            log.Add($"flip bit {bit} of octet {position} in frame {at} ({frame})");
        }

        return new ClientFrame(octets, frame.Type, frame.StreamId, frame.FragmentOffset, frame.FragmentLength);
    }

    /// <summary>Rewrites the 24-bit length without touching the payload: the frame swallows or leaves octets.</summary>
    private static ClientFrame ChangeLength(Random random, ClientFrame frame, Http2Limits limits, List<string> log, int at)
    {
        if (frame.IsPreface || frame.Octets.Length < Http2Constants.FrameHeaderLength)
        {
            return frame;
        }

        int old = frame.Octets.Length - Http2Constants.FrameHeaderLength;
        int length = random.Next(4) switch
        {
            0 => old - random.Next(1, 17),
            1 => old + random.Next(1, 17),
            2 => random.Next(0, 40),
            _ => random.Next(2) == 0 ? limits.MaxFrameSize : random.Next(0, 1 << 24),
        };
        length = Math.Clamp(length, 0, (1 << 24) - 1);
        byte[] octets = [.. frame.Octets];
        octets[0] = (byte)(length >> 16);
        octets[1] = (byte)(length >> 8);
        octets[2] = (byte)length;
        log.Add($"set the length of frame {at} ({frame}) to {length}");
        return new ClientFrame(octets, frame.Type, frame.StreamId);
    }

    private static ClientFrame ReplaceFragment(ClientFrame frame, byte[] fragment, List<string> log, int at)
    {
        byte[] octets = [.. frame.Octets[..frame.FragmentOffset], .. fragment, .. frame.Octets[(frame.FragmentOffset + frame.FragmentLength)..]];
        int length = octets.Length - Http2Constants.FrameHeaderLength;
        octets[0] = (byte)(length >> 16);
        octets[1] = (byte)(length >> 8);
        octets[2] = (byte)length;
        log.Add($"replace the field block fragment of frame {at} ({frame}) with {Convert.ToHexString(fragment)}");
        return new ClientFrame(octets, frame.Type, frame.StreamId, frame.FragmentOffset, fragment.Length);
    }

    private static ClientFrame CorruptFragment(Random random, ClientFrame frame, List<string> log, int at)
    {
        if (frame.FragmentLength == 0)
        {
            return frame;
        }

        byte[] octets = [.. frame.Octets];
        int changes = random.Next(1, 5);
        for (int i = 0; i < changes; i++)
        {
            int position = frame.FragmentOffset + random.Next(frame.FragmentLength);
            octets[position] = (byte)random.Next(256);
        }

        log.Add($"change {changes} octets of the field block fragment of frame {at} ({frame})");
        return new ClientFrame(octets, frame.Type, frame.StreamId, frame.FragmentOffset, frame.FragmentLength);
    }

    /// <summary>A connection of noise: preface, SETTINGS, then only random frames.</summary>
    public static List<ClientFrame> Noise(Random random, Http2Limits limits, List<string> log)
    {
        List<ClientFrame> frames = [ClientFrame.Preface(), ClientFrame.Of(FrameBuilder.Settings())];
        int count = random.Next(5, 40);
        for (int i = 0; i < count; i++)
        {
            frames.Add(RandomFrames.Any(random, limits, lastStreamId: 2 * random.Next(0, 10) + 1));
        }

        log.Add($"noise: {count} random frames");
        return frames;
    }
}
