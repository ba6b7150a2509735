namespace Http2Lab.Http2.Session;

/// <summary>
/// A token bucket for rate limits (resets, PINGs, SETTINGS per second): holds up to one second's worth of
/// events and refills continuously, so evenly paced events below the rate never trip it, and a burst is
/// allowed only up to the rate.
/// </summary>
internal struct TokenBucket
{
    private readonly double _ratePerSecond;
    private double _tokens;
    private long _last;

    public TokenBucket(int ratePerSecond, long now)
    {
        _ratePerSecond = ratePerSecond;
        _tokens = ratePerSecond;
        _last = now;
    }

    /// <summary>Takes one token at <paramref name="now"/> (a <see cref="TimeProvider"/> timestamp); false when the rate is exceeded.</summary>
    public bool TryTake(long now, TimeProvider time)
    {
        double elapsed = time.GetElapsedTime(_last, now).TotalSeconds;
        _last = now;
        _tokens = Math.Min(_ratePerSecond, _tokens + (elapsed * _ratePerSecond));
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
