namespace Http2Lab.Client.Connection;

/// <summary>
/// An auto-reset event to await: many <see cref="Set"/> calls before a wait wake it once. Never disposed (its
/// semaphore has no wait handle), so a late <see cref="Set"/> after its connection closed is harmless.
/// </summary>
internal sealed class AsyncSignal
{
    private readonly SemaphoreSlim _semaphore = new(0);
    private int _set;

    public void Set()
    {
        if (Interlocked.Exchange(ref _set, 1) == 0)
        {
            _semaphore.Release();
        }
    }

    public async Task WaitAsync(CancellationToken cancellationToken = default)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _set, 0);
    }
}
