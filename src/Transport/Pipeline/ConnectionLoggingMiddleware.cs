using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// Outermost connection middleware of pipe-based dispatchers: reports each connection's open and close to the
/// endpoint's <see cref="ConnectionObserver"/> (Debug log lines, connection metrics).
/// </summary>
internal sealed class ConnectionLoggingMiddleware
{
    private readonly ConnectionDelegate _next;
    private readonly ConnectionObserver _observer;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline.</param>
    /// <param name="observer">The endpoint's connection observer.</param>
    public ConnectionLoggingMiddleware(ConnectionDelegate next, ConnectionObserver observer)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(observer);
        _next = next;
        _observer = observer;
    }

    /// <summary>Runs one connection through the rest of the pipeline.</summary>
    /// <param name="context">The connection.</param>
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var remote = Sockets.EndPointText.Describe(context.RemoteEndPoint);
        var openedAt = _observer.Opened(context.ConnectionId, remote);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            _observer.Closed(context.ConnectionId, remote, openedAt);
        }
    }
}
