using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// The gate of a connection on the poll loop: only the loop's thread may enter (nothing else ever touches the
/// processor); work from other threads is posted to the loop. Leaving marks the connection for a write.
/// </summary>
internal sealed class PollGate(PollLoop loop, PollClient client) : ConnectionGate
{
    public override bool TryEnter() => loop.IsLoopThread;

    public override void Exit() => client.MarkDirty();

    public override bool IsEntered => loop.IsLoopThread;

    public override void Post(Action<object?> callback, object? state) => loop.Enqueue(callback, state, client);

    public override void Start(Action<object?> work, object? state) => work(state); // on the loop, its context installed

    public override SynchronizationContext? SynchronizationContext => loop.Context;
}
