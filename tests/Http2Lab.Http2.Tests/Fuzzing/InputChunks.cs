namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// How the transport delivers the client's octets: all at once, a few frames per read, split at random points (frames
/// cut across reads), or one octet per read for a stretch.
/// </summary>
internal static class InputChunks
{
    public static List<byte[]> Split(Random random, List<ClientFrame> frames)
    {
        byte[] input = [.. frames.SelectMany(f => f.Octets)];
        switch (random.Next(10))
        {
            case < 2:
                return [input];
            case < 5:
                var byFrames = new List<byte[]>();
                for (int i = 0; i < frames.Count;)
                {
                    int n = random.Next(1, 5);
                    byFrames.Add([.. frames.Skip(i).Take(n).SelectMany(f => f.Octets)]);
                    i += n;
                }

                return byFrames;
            case < 9:
                return AtPoints(input, Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(input.Length + 1)));
            default:
                int from = random.Next(input.Length + 1);
                int to = Math.Min(input.Length, from + random.Next(1, 300));
                return AtPoints(input, [.. Enumerable.Range(from, to - from + 1)]);
        }
    }

    private static List<byte[]> AtPoints(byte[] input, IEnumerable<int> points)
    {
        var chunks = new List<byte[]>();
        int start = 0;
        foreach (int point in points.Distinct().Order())
        {
            chunks.Add(input[start..point]);
            start = point;
        }

        chunks.Add(input[start..]);
        return chunks;
    }
}
