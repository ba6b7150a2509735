using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// Accepts the connections of one endpoint and drives their processors. Each scheduling strategy (async on the
/// thread pool, one client at a time, a thread per connection, a poll loop) is a subclass; every one is an
/// <see cref="IHostedService"/>, so it can run inside the endpoint host or standalone.
/// </summary>
/// <remarks>
/// Contract for subclasses: <see cref="StartAsync"/> binds and sets <see cref="BoundUrl"/> before it returns;
/// <see cref="StopAsync"/> stops accepting, asks live connections to close (the processor's
/// <c>RequestClose</c>: HTTP/2 sends GOAWAY), waits for them within the shutdown timeout, then lets each
/// processor <c>Abort</c> (RST_STREAM, GOAWAY) and closes the rest.
/// </remarks>
public abstract class Dispatcher : IHostedService, IAsyncDisposable
{
    /// <summary>Initializes the endpoint this dispatcher serves.</summary>
    /// <param name="endpoint">The prepared endpoint.</param>
    protected Dispatcher(EndpointContext endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Context = endpoint;
    }

    /// <summary>The prepared endpoint.</summary>
    public EndpointContext Context { get; }

    /// <summary>The endpoint's configuration name.</summary>
    public string EndpointName => Context.Name;

    /// <summary>The endpoint's options.</summary>
    public EndpointOptions Endpoint => Context.Options;

    /// <summary>The configured URL (port may be 0).</summary>
    public EndpointUrl Url => Context.Url;

    /// <summary>The URL actually bound (port 0 resolved), once <see cref="StartAsync"/> has completed.</summary>
    public Uri? BoundUrl { get; protected set; }

    /// <summary>Binds the endpoint and starts accepting connections.</summary>
    /// <param name="cancellationToken">Aborts the start.</param>
    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stops accepting, asks live connections to close, waits for them up to the shutdown timeout
    /// (or until <paramref name="cancellationToken"/> fires) and aborts the rest.
    /// </summary>
    /// <param name="cancellationToken">Signals that the graceful part of the stop must end now.</param>
    public abstract Task StopAsync(CancellationToken cancellationToken);

    /// <summary>A snapshot of the connections this dispatcher is currently running.</summary>
    public abstract IReadOnlyList<DispatcherConnectionInfo> GetConnections();

    /// <summary>Releases the listener and anything else the dispatcher still holds.</summary>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
