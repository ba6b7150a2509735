using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Transport.Sockets;

/// <summary>Creates bound, listening TCP sockets the same way for every dispatcher.</summary>
internal static class ListenSocket
{
    /// <summary>Pending connections the kernel queues before accept (as Kestrel's default).</summary>
    public const int Backlog = 512;

    /// <summary>Binds and listens on <paramref name="endPoint"/>; [::] listens dual-stack.</summary>
    public static Socket Bind(IPEndPoint endPoint, bool blocking = true)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endPoint);
            socket.Listen(Backlog);
            socket.Blocking = blocking;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Applies the endpoint's TCP_NODELAY choice to an accepted socket; false if the socket refused it.</summary>
    public static bool TrySetNoDelay(Socket socket, bool noDelay)
    {
        try
        {
            socket.NoDelay = noDelay;
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }
}
