namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// One timer per dispatcher that runs every connection's timeouts about once a second — not a timer per
/// connection, so thousands of idle connections cost one wake-up a second. A beat that is still running when the
/// next is due makes that one skip.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    /// <summary>How often the dispatchers' heartbeats run.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly Action _beat;
    private readonly ITimer _timer;
    private int _running;

    /// <param name="beat">Runs every connection's timeouts.</param>
    /// <param name="interval">How often; <see cref="Interval"/> unless a dispatcher needs finer steps.</param>
    /// <param name="time">The clock, for tests.</param>
    public Heartbeat(Action beat, TimeSpan? interval = null, TimeProvider? time = null)
    {
        _beat = beat;
        TimeSpan every = interval ?? Interval;
        _timer = (time ?? TimeProvider.System).CreateTimer(static s => ((Heartbeat)s!).Beat(), this, every, every);
    }

    public void Dispose() => _timer.Dispose();

    private void Beat()
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }

        try
        {
            _beat();
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }
}
