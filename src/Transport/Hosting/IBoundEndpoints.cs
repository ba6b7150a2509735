using System.Diagnostics.CodeAnalysis;
using Http2Lab.Transport.Dispatchers;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The addresses the endpoints actually listen on (port 0 resolved), available from DI once the host has started, so
/// tests and tools need no fixed ports. Endpoints made from <c>urls</c> are named by their URL as written.
/// </summary>
public interface IBoundEndpoints
{
    /// <summary>
    /// Completes when every configured endpoint is listening; faults with the start error when one cannot be bound.
    /// </summary>
    Task WhenBound { get; }

    /// <summary>
    /// The bound URL of every endpoint bound so far, by endpoint name (case-insensitive). For a <c>localhost</c>
    /// endpoint that is the 127.0.0.1 address; <see cref="Addresses"/> also has the [::1] one.
    /// </summary>
    IReadOnlyDictionary<string, Uri> Urls { get; }

    /// <summary>
    /// Every address listening so far, in the order bound, with the name of its endpoint: one per endpoint, two for a
    /// <c>localhost</c> endpoint (127.0.0.1 and, where IPv6 allows, [::1] on the same port).
    /// </summary>
    IReadOnlyList<KeyValuePair<string, Uri>> Addresses { get; }

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
