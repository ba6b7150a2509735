namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Samples the process's managed heap (after a full, blocking collection, so only what is still referenced counts)
/// every 100 ms in the background and keeps the peak. The server runs in the test process, so this is the server's
/// memory plus the test's own, which is why the memory tests run alone (<see cref="MemoryCollection"/>).
/// </summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peakManaged;
    private long _peakWorkingSet;

    public MemorySampler()
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    /// <summary>The highest managed heap size seen.</summary>
    public long PeakManaged => Interlocked.Read(ref _peakManaged);

    /// <summary>The highest working set seen (reported, not asserted: the GC returns memory to the OS lazily).</summary>
    public long PeakWorkingSet => Interlocked.Read(ref _peakWorkingSet);

    /// <summary>Live managed octets now, after a full blocking collection.</summary>
    public static long Managed()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>The lowest of a few samples over about a second: what stays referenced once work has wound down.</summary>
    public static async Task<long> SettledManagedAsync()
    {
        long lowest = long.MaxValue;
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(100);
            lowest = Math.Min(lowest, Managed());
        }

        return lowest;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Sample();
        _stop.Dispose();
    }

    private void Sample()
    {
        long managed = Managed();
        long workingSet = Environment.WorkingSet;
        if (managed > Interlocked.Read(ref _peakManaged))
        {
            Interlocked.Exchange(ref _peakManaged, managed);
        }

        if (workingSet > Interlocked.Read(ref _peakWorkingSet))
        {
            Interlocked.Exchange(ref _peakWorkingSet, workingSet);
        }
    }
}
