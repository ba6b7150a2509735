using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Transport.Sockets;

/// <summary>Creates bound, listening TCP (or Unix domain) sockets the same way for every dispatcher.</summary>
internal static class ListenSocket
{
    /// <summary>Pending connections the kernel queues before accept (as Kestrel's default).</summary>
    public const int Backlog = 512;

    /// <summary>
    /// Binds and listens on <paramref name="endPoint"/>; [::] listens dual-stack. With <paramref name="reusePort"/>,
    /// SO_REUSEPORT first, so that several sockets (one per poll loop) listen on one port and the kernel spreads
    /// connections over them; a <see cref="SocketException"/> says the OS cannot.
    /// </summary>
    public static Socket Bind(EndPoint endPoint, bool blocking = true, bool reusePort = false)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (reusePort)
            {
                if (!OperatingSystem.IsLinux())
                {
                    throw new SocketException((int)SocketError.OperationNotSupported);
                }

                // SOL_SOCKET = 1, SO_REUSEPORT = 15 on Linux; .NET names no SocketOptionName for it.
                socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
            }

            if (endPoint is IPEndPoint { Address: var address } && address.Equals(IPAddress.IPv6Any))
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
        if (socket.AddressFamily == AddressFamily.Unix)
        {
            return true; // no Nagle on a Unix socket: nothing to set
        }

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
