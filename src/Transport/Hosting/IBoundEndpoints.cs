using System.Diagnostics.CodeAnalysis;
using Http2Lab.Transport.Dispatchers;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The addresses the configured endpoints actually listen on (port 0 resolved), available from DI once the
/// host has started, so tests and tools need no fixed ports.
/// </summary>
public interface IBoundEndpoints
{
    /// <summary>
    /// Completes when every configured endpoint is listening; faults with the start error when one cannot be bound.
    /// </summary>
    Task WhenBound { get; }

    /// <summary>The bound URL of every endpoint bound so far, by endpoint name (case-insensitive).</summary>
    IReadOnlyDictionary<string, Uri> Urls { get; }

    /// <summary>Waits until the endpoint <paramref name="name"/> is listening and returns its URL.</summary>
    /// <param name="name">The endpoint's configuration name (case-insensitive).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="KeyNotFoundException">All endpoints are bound and none has that name.</exception>
    Task<Uri> GetUrlAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The dispatcher serving a bound endpoint, for introspection (e.g. <see cref="Dispatcher.GetConnections"/>).</summary>
    /// <param name="name">The endpoint's configuration name (case-insensitive).</param>
    /// <param name="dispatcher">The dispatcher, when the endpoint is bound.</param>
    bool TryGetDispatcher(string name, [NotNullWhen(true)] out Dispatcher? dispatcher);
}
