namespace Http2Lab.Http2.Session;

/// <summary>
/// Octets moved while a transfer was waiting on the peer, against the time it waited — sampled by the session's
/// heartbeat, in windows of the grace period: a window in which fewer than rate × window octets moved is too slow;
/// one that kept up starts the next window afresh, so octets moved long ago never excuse a stall now.
/// </summary>
internal struct DataRateClock
{
    private long _ticks;
    private long _octets;

    /// <summary>Counts octets moved.</summary>
    public void Add(long octets) => _octets += octets;

    /// <summary>The transfer was waiting on the peer during the last heartbeat interval.</summary>
    public void Run(TimeSpan interval) => _ticks += interval.Ticks;

    /// <summary>Forgets everything: the transfer is not waiting on the peer.</summary>
    public void Reset()
    {
        _ticks = 0;
        _octets = 0;
    }

    /// <summary>
    /// Once a window longer than <paramref name="grace"/> (at least a second) has passed: whether, with <paramref name="extraOctets"/>
    /// in flight, fewer than <paramref name="bytesPerSecond"/> octets a second moved in it. A window that kept up is
    /// closed and the next begins.
    /// </summary>
    public bool IsTooSlow(double bytesPerSecond, TimeSpan grace, long extraOctets = 0)
    {
        if (bytesPerSecond <= 0 || _ticks <= Math.Max(grace.Ticks, TimeSpan.TicksPerSecond))
        {
            return false;
        }

        bool slow = _octets + extraOctets < bytesPerSecond * TimeSpan.FromTicks(_ticks).TotalSeconds;
        if (!slow)
        {
            Reset();
        }

        return slow;
    }
}
