namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// Installed on the poll thread: continuations of handlers that awaited are queued back to the loop (and wake it),
/// so the sessions are only ever touched by the loop's own thread.
/// </summary>
internal sealed class PollSynchronizationContext(PollLoop loop) : SynchronizationContext
{
    public override void Post(SendOrPostCallback d, object? state) => loop.Enqueue(static s =>
    {
        var (callback, callbackState) = ((SendOrPostCallback, object?))s!;
        callback(callbackState);
    }, (d, state), client: null);

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (loop.IsLoopThread)
        {
            d(state);
            return;
        }

        using var done = new ManualResetEventSlim();
        Post(s =>
        {
            try
            {
                d(s);
            }
            finally
            {
                done.Set();
            }
        }, state);
        done.Wait();
    }

    public override SynchronizationContext CreateCopy() => this;
}
