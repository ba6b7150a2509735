using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// Flood limits (RFC 9113 §10.5): each PING and SETTINGS costs us an ACK, each reset work, so the peer gets a second's
// worth in a burst (token buckets refilled continuously: evenly paced events below the rate never trip them); beyond,
// the connection ends with ENHANCE_YOUR_CALM.
internal abstract partial class Http2SessionCore<TStream>
{
    private TokenBucket _resetBucket;
    private TokenBucket _pingBucket;
    private TokenBucket _settingsBucket;

    private void StartRateLimits(Http2Limits limits)
    {
        long now = Time.GetTimestamp();
        _resetBucket = new TokenBucket(limits.MaxResetStreamsPerSecond, now);
        _pingBucket = new TokenBucket(limits.MaxPingsPerSecond, now);
        _settingsBucket = new TokenBucket(limits.MaxSettingsPerSecond, now);
    }

    /// <summary>
    /// Counts one <paramref name="what"/> against its limit; false when that ended the connection (GOAWAY
    /// ENHANCE_YOUR_CALM), and the caller stops. PINGs and SETTINGS after the first count in both roles; resets only
    /// where <see cref="LimitsResets"/> says so.
    /// </summary>
    protected bool WithinRate(RateLimitedEvent what)
    {
        if (what == RateLimitedEvent.Reset && !LimitsResets)
        {
            return true;
        }

        long now = Time.GetTimestamp();
        string? exceeded = what switch
        {
            RateLimitedEvent.Reset when !_resetBucket.TryTake(now, Time) => "too many streams reset or refused",
            RateLimitedEvent.Ping when !_pingBucket.TryTake(now, Time) => $"more than {Limits.MaxPingsPerSecond} PINGs per second",
            RateLimitedEvent.Settings when !_settingsBucket.TryTake(now, Time) => $"more than {Limits.MaxSettingsPerSecond} SETTINGS per second",
            _ => null,
        };
        if (exceeded is null)
        {
            return true;
        }

        ConnectionError(FrameError.Connection(Http2ErrorCode.EnhanceYourCalm, exceeded));
        return false;
    }
}
