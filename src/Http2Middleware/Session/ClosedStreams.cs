namespace Http2Lab.Http2.Session;

/// <summary>
/// Why recently closed streams closed, for the "frames on a closed stream" rules (RFC 9113 §5.1, §5.4.2).
/// Bounded: the oldest entries are forgotten first, and <see cref="Lookup"/> says when an id may have been
/// forgotten. Stored as a ring of packed entries that grows only as streams close, so a connection that
/// opens few streams pays for few.
/// </summary>
internal sealed class ClosedStreams
{
    private readonly int _capacity;
    private long[] _ring = [];
    private int _next;
    private int _count;
    private int _highestForgotten;

    public ClosedStreams(int capacity) => _capacity = Math.Max(16, capacity);

    /// <summary>What is known of a stream that is not open.</summary>
    public enum Knowledge : byte
    {
        /// <summary>Never recorded and newer than anything forgotten: the id was never used.</summary>
        NeverUsed,
        /// <summary>Recorded; the reason is known.</summary>
        Known,
        /// <summary>Possibly closed long ago and forgotten.</summary>
        Forgotten,
    }

    public void Record(int streamId, StreamCloseReason reason)
    {
        long entry = ((long)streamId << 8) | (byte)reason;
        if (_count < _capacity)
        {
            if (_count == _ring.Length)
            {
                Array.Resize(ref _ring, Math.Min(_capacity, Math.Max(16, _ring.Length * 2)));
            }

            _ring[_count++] = entry;
            _next = _count % _ring.Length;
            return;
        }

        _highestForgotten = Math.Max(_highestForgotten, (int)(_ring[_next] >> 8));
        _ring[_next] = entry;
        _next = (_next + 1) % _ring.Length;
    }

    public Knowledge Lookup(int streamId, out StreamCloseReason reason)
    {
        for (int i = 0; i < _count; i++)
        {
            if ((int)(_ring[i] >> 8) == streamId)
            {
                reason = (StreamCloseReason)(byte)_ring[i];
                return Knowledge.Known;
            }
        }

        reason = default;
        return streamId <= _highestForgotten ? Knowledge.Forgotten : Knowledge.NeverUsed;
    }
}
