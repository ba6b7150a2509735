using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>A connection a pipe-based dispatcher is running: its context, its close notification, its heartbeat and its completion.</summary>
internal sealed class TrackedConnection
{
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TrackedConnection(ConnectionContext context)
    {
        Context = context;

        // Keep a transport-supplied notification feature; otherwise install ours so protocols can rely on it.
        var existing = context.Features.Get<IConnectionLifetimeNotificationFeature>();
        if (existing is null)
        {
            existing = new ConnectionCloseNotification();
            context.Features.Set(existing);
        }

        CloseNotification = existing;
        context.Features.Set(Control);
        context.Features.Set<IConnectionHeartbeatFeature>(Control);
    }

    public ConnectionContext Context { get; }

    public IConnectionLifetimeNotificationFeature CloseNotification { get; }

    /// <summary>The heartbeat and shutdown-timeout hooks the connection's driver registers with.</summary>
    public ConnectionControl Control { get; } = new();

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    public bool CloseRequested { get; private set; }

    /// <summary>Completes when the connection's pipeline has finished and the context is disposed.</summary>
    public Task Completion => _completed.Task;

    public void RequestClose()
    {
        CloseRequested = true;
        CloseNotification.RequestClose();
    }

    public void MarkCompleted() => _completed.TrySetResult();

    public DispatcherConnectionInfo ToInfo() =>
        new(Context.ConnectionId, Context.RemoteEndPoint, Context.LocalEndPoint, ConnectedAt, CloseRequested);
}
