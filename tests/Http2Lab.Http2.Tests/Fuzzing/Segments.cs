using System.Buffers;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>Presents octets as a <see cref="ReadOnlySequence{T}"/> of one or several segments, split at random points.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(Random random, byte[] octets)
    {
        if (octets.Length < 2 || random.Next(3) != 0)
        {
            return new ReadOnlySequence<byte>(octets);
        }

        int pieces = random.Next(2, Math.Min(octets.Length, 12) + 1);
        int[] cuts = [.. Enumerable.Range(0, pieces - 1).Select(_ => random.Next(1, octets.Length)).Distinct().Order()];
        var first = new Segments(octets.AsMemory(0, cuts.Length == 0 ? octets.Length : cuts[0]), 0);
        Segments last = first;
        for (int i = 0; i < cuts.Length; i++)
        {
            int end = i + 1 < cuts.Length ? cuts[i + 1] : octets.Length;
            var next = new Segments(octets.AsMemory(cuts[i], end - cuts[i]), cuts[i]);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
