namespace Http2Lab.Transport.Processing;

/// <summary>
/// A <see cref="ConnectionGate"/> that is a lock: any thread may enter. When the outermost holder leaves,
/// <c>onOutput</c> runs (outside the lock) so the dispatcher writes what was produced.
/// </summary>
internal sealed class LockGate : ConnectionGate
{
    private readonly Lock _lock = new();
    private readonly Action _onOutput;
    private readonly bool _startInline;

    /// <summary>Creates a gate.</summary>
    /// <param name="onOutput">Called after the outermost <see cref="Exit"/>: make sure pending output gets written.</param>
    /// <param name="startInline">Run <see cref="Start"/>ed work on the calling thread (true) or on the thread pool.</param>
    public LockGate(Action onOutput, bool startInline)
    {
        _onOutput = onOutput;
        _startInline = startInline;
    }

    /// <inheritdoc />
    public override bool TryEnter()
    {
        _lock.Enter();
        return true;
    }

    /// <summary>Enters only if the lock is free now (heartbeats skip a busy connection rather than wait).</summary>
    public bool TryEnterNow() => _lock.TryEnter();

    /// <inheritdoc />
    public override void Exit()
    {
        _lock.Exit();
        if (!_lock.IsHeldByCurrentThread)
        {
            _onOutput();
        }
    }

    /// <summary>Leaves without the output callback (the caller writes the output itself).</summary>
    public void ExitQuietly() => _lock.Exit();

    /// <inheritdoc />
    public override bool IsEntered => _lock.IsHeldByCurrentThread;

    /// <inheritdoc />
    public override void Post(Action<object?> callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            (LockGate gate, Action<object?> callback, object? state) = s;
            gate.TryEnter();
            try
            {
                callback(state);
            }
            finally
            {
                gate.Exit();
            }
        }, (this, callback, state), preferLocal: false);

    /// <inheritdoc />
    public override void Start(Action<object?> work, object? state)
    {
        if (_startInline)
        {
            work(state);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(work, state, preferLocal: false);
        }
    }

    /// <inheritdoc />
    public override Task SwitchAsync() => Task.CompletedTask;
}
