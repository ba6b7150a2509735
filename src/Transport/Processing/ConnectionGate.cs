namespace Http2Lab.Transport.Processing;

/// <summary>
/// Serialises everything that touches one connection's <see cref="IConnectionProcessor"/>. Each dispatcher
/// supplies one per connection: a lock where several threads may drive the connection (Async,
/// ThreadPerConnection, SingleClient), or the event loop's own thread (Poll), where nothing else may touch it.
/// </summary>
public abstract class ConnectionGate
{
    /// <summary>
    /// Enters if the calling thread may touch the processor: a lock gate waits for its lock (it is reentrant),
    /// a loop gate enters only on its loop thread. Pair every true with <see cref="Exit"/>.
    /// </summary>
    public abstract bool TryEnter();

    /// <summary>Leaves the gate; output the processor queued meanwhile is written out.</summary>
    public abstract void Exit();

    /// <summary>Whether the calling thread is inside the gate (for debug assertions).</summary>
    public abstract bool IsEntered { get; }

    /// <summary>Runs <paramref name="callback"/> inside the gate as soon as possible, from any thread; its output is written afterwards.</summary>
    public abstract void Post(Action<object?> callback, object? state);

    /// <summary>
    /// Starts work that belongs to the connection (an application handler), called from inside the gate:
    /// on the thread pool (Async), or at once on the calling thread (the blocking dispatchers and Poll run
    /// handlers where the connection runs).
    /// </summary>
    public abstract void Start(Action<object?> work, object? state);

    /// <summary>
    /// Where continuations of the connection's work should resume (Poll: its loop), or null for the thread pool.
    /// <see cref="Start"/> runs work with it installed.
    /// </summary>
    public virtual SynchronizationContext? SynchronizationContext => null;

    /// <summary>
    /// For code running outside the gate on a thread that may not enter it (a loop gate, off its loop):
    /// completes on a thread where <see cref="TryEnter"/> succeeds. Usage:
    /// <c>while (!gate.TryEnter()) await gate.SwitchAsync();</c>
    /// </summary>
    public virtual Task SwitchAsync()
    {
        var arrived = new TaskCompletionSource();
        Post(static state => ((TaskCompletionSource)state!).SetResult(), arrived);
        return arrived.Task;
    }
}
