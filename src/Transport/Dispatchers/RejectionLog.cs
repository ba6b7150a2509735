using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>Logs connections turned away at a capacity limit — at most once per interval, with a count, so a flood cannot flood the log.</summary>
internal sealed partial class RejectionLog(ILogger logger, string endpoint, int limit, string setting)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private long _last;
    private int _count;

    public void Report(int live)
    {
        int count = Interlocked.Increment(ref _count);
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _last);
        if ((last == 0 || now - last >= Interval.TotalMilliseconds) && Interlocked.CompareExchange(ref _last, now, last) == last)
        {
            Interlocked.Add(ref _count, -count);
            LogRejected(logger, endpoint, count, live, limit, setting, Interval.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning,
        Message = "Endpoint '{Endpoint}': closed {Count} new connection(s) at once: {Live} connections are open, the limit is {Limit} ({Setting}; reported at most every {Seconds} s)")]
    private static partial void LogRejected(ILogger logger, string endpoint, int count, int live, int limit, string setting, double seconds);
}
