namespace Http2Lab.Transport.Tls.Engines.SslStreamEngine;

/// <summary>
/// Runs SslStream's asynchronous code without the calling thread's SynchronizationContext (the poll loop installs
/// one for handlers): its continuations then run inline, inside the engine call that made progress possible,
/// instead of being queued for a later round of the loop.
/// </summary>
internal readonly ref struct InlineScope
{
    private readonly SynchronizationContext? _previous;

    private InlineScope(SynchronizationContext? previous) => _previous = previous;

    public static InlineScope Enter()
    {
        var previous = SynchronizationContext.Current;
        if (previous is not null)
        {
            SynchronizationContext.SetSynchronizationContext(null);
        }

        return new InlineScope(previous);
    }

    public void Dispose()
    {
        if (_previous is not null)
        {
            SynchronizationContext.SetSynchronizationContext(_previous);
        }
    }
}
