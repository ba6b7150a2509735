using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// Accepts the connections of one endpoint and schedules them through the endpoint's connection pipeline.
/// Each scheduling strategy (async on the thread pool, a thread per connection, a poll loop, ...) is a
/// subclass; every one is an <see cref="IHostedService"/>, so it can run inside the endpoint host or standalone.
/// </summary>
/// <remarks>
/// Contract for subclasses: <see cref="StartAsync"/> binds and sets <see cref="BoundUrl"/> before it
/// returns; <see cref="StopAsync"/> stops accepting, asks live connections to close
/// (<see cref="Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature.RequestClose"/>),
/// waits for them within the shutdown timeout and then aborts the rest.
/// </remarks>
public abstract class Dispatcher : IHostedService, IAsyncDisposable
{
    /// <summary>Initializes the endpoint this dispatcher serves.</summary>
    /// <param name="endpointName">The endpoint's configuration name, used in logs.</param>
    /// <param name="endpoint">The endpoint's options; its URL must be valid.</param>
    /// <param name="application">The endpoint's connection pipeline.</param>
    /// <exception cref="FormatException"><see cref="EndpointOptions.Url"/> is not a valid endpoint URL.</exception>
    protected Dispatcher(string endpointName, EndpointOptions endpoint, ConnectionDelegate application)
    {
        ArgumentNullException.ThrowIfNull(endpointName);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(application);
        EndpointName = endpointName;
        Endpoint = endpoint;
        Url = EndpointUrl.Parse(endpoint.Url);
        Application = application;
    }

    /// <summary>The endpoint's configuration name.</summary>
    public string EndpointName { get; }

    /// <summary>The endpoint's options.</summary>
    public EndpointOptions Endpoint { get; }

    /// <summary>The configured URL (port may be 0).</summary>
    public EndpointUrl Url { get; }

    /// <summary>The connection pipeline every accepted connection runs through.</summary>
    public ConnectionDelegate Application { get; }

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
