using Microsoft.AspNetCore.Connections.Features;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// The dispatcher's <see cref="IConnectionLifetimeNotificationFeature"/>, for transports that do not supply one:
/// <see cref="RequestClose"/> signals <see cref="ConnectionClosedRequested"/> so the protocol can finish
/// gracefully (HTTP/2 sends GOAWAY and completes in-flight streams).
/// </summary>
internal sealed class ConnectionCloseNotification : IConnectionLifetimeNotificationFeature
{
    private readonly CancellationTokenSource _closeRequested = new();
    private int _requested;

    public ConnectionCloseNotification() => ConnectionClosedRequested = _closeRequested.Token;

    public CancellationToken ConnectionClosedRequested { get; set; }

    public bool IsCloseRequested => Volatile.Read(ref _requested) != 0;

    public void RequestClose()
    {
        if (Interlocked.Exchange(ref _requested, 1) != 0)
        {
            return;
        }

        // Callbacks are protocol code; run them off the caller's thread so stopping N connections
        // is not serialised behind each connection's reaction.
        ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), _closeRequested, preferLocal: false);
    }
}
