namespace Http2Lab.Http2.Session;

/// <summary>
/// Octets moved while a transfer was possible, against the time it was possible — sampled by the session's
/// heartbeat, as Kestrel's MinDataRate: too slow once the grace period has passed and fewer than
/// rate × time octets moved.
/// </summary>
internal struct DataRateClock
{
    private long _ticks;
    private long _octets;

    /// <summary>Counts octets moved.</summary>
    public void Add(long octets) => _octets += octets;

    /// <summary>The transfer was possible during the last heartbeat interval.</summary>
    public void Run(TimeSpan interval) => _ticks += interval.Ticks;

    /// <summary>Forgets everything: the transfer is not waiting on the peer.</summary>
    public void Reset()
    {
        _ticks = 0;
        _octets = 0;
    }

    /// <summary>Whether, with <paramref name="extraOctets"/> in flight, the peer moved fewer than <paramref name="bytesPerSecond"/> after <paramref name="grace"/>.</summary>
    public readonly bool IsTooSlow(double bytesPerSecond, TimeSpan grace, long extraOctets = 0)
    {
        if (bytesPerSecond <= 0 || _ticks <= grace.Ticks)
        {
            return false;
        }

        return _octets + extraOctets < bytesPerSecond * TimeSpan.FromTicks(_ticks).TotalSeconds;
    }
}
