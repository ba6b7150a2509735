using System.Net;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>One live connection of a dispatcher, as seen by <see cref="Dispatcher.GetConnections"/>.</summary>
/// <param name="ConnectionId">The transport's connection id.</param>
/// <param name="RemoteEndPoint">The client's address, when known.</param>
/// <param name="LocalEndPoint">The server address the client connected to, when known.</param>
/// <param name="ConnectedAt">When the dispatcher accepted the connection.</param>
/// <param name="CloseRequested">Whether the dispatcher has asked the connection to close (graceful stop).</param>
public sealed record DispatcherConnectionInfo(
    string ConnectionId,
    EndPoint? RemoteEndPoint,
    EndPoint? LocalEndPoint,
    DateTimeOffset ConnectedAt,
    bool CloseRequested)
{
    /// <summary>The thread that runs the connection, for dispatchers that give each connection one.</summary>
    public string? Thread { get; init; }
}
