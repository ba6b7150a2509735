using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;

namespace Http2Lab.Transport.Sockets;

/// <summary>The accepted socket, for protocols that look at it (as Kestrel's transports expose theirs).</summary>
internal sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
{
    public Socket Socket { get; } = socket;
}
