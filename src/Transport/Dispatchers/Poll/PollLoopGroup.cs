namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// The loops of one Poll endpoint and the little they share, none of it per read or write: the client count held
/// against MaxClients (checked on accept), the poll timeouts (judged on every loop's traffic once a heartbeat), the
/// stop, and — where the kernel cannot spread connections with SO_REUSEPORT — the round-robin hand-off of accepted
/// sockets from the one listening loop to the others.
/// </summary>
internal sealed class PollLoopGroup
{
    private PollLoop[] _loops = [];
    private int _clients;
    private int _next;
    private int _timedOut;
    private int _drainingLogged;

    public PollLoopGroup(int loopCount, int maxClients, bool handOff)
    {
        LoopCount = loopCount;
        MaxClients = maxClients;
        HandOff = handOff;
    }

    /// <summary>How many loops the endpoint runs.</summary>
    public int LoopCount { get; }

    /// <summary>Clients served at once by all loops together.</summary>
    public int MaxClients { get; }

    /// <summary>One loop listens and hands accepted sockets round-robin to all (no SO_REUSEPORT).</summary>
    public bool HandOff { get; }

    public IReadOnlyList<PollLoop> Loops => _loops;

    public int ClientCount => Volatile.Read(ref _clients);

    /// <summary>The latest traffic on any loop (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long LastTraffic
    {
        get
        {
            long latest = 0;
            foreach (PollLoop loop in _loops)
            {
                latest = Math.Max(latest, loop.LastTraffic);
            }

            return latest;
        }
    }

    public void SetLoops(PollLoop[] loops) => _loops = loops;

    /// <summary>Counts a new client; false (and not counted) when the group is full.</summary>
    public bool TryAddClient()
    {
        if (Interlocked.Increment(ref _clients) > MaxClients)
        {
            Interlocked.Decrement(ref _clients);
            return false;
        }

        return true;
    }

    public void RemoveClients(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _clients, -count);
        }
    }

    /// <summary>The loop that takes the next handed-off socket.</summary>
    public PollLoop NextLoop() => _loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)_loops.Length)];

    /// <summary>True for the one loop that reports a poll timeout and stops the group.</summary>
    public bool TryClaimTimeout() => Interlocked.Exchange(ref _timedOut, 1) == 0;

    /// <summary>True for the one loop that logs the endpoint's "stopped accepting" line.</summary>
    public bool TryClaimDrainingLog() => Interlocked.Exchange(ref _drainingLogged, 1) == 0;

    public void RequestStop()
    {
        foreach (PollLoop loop in _loops)
        {
            loop.RequestStop();
        }
    }
}
