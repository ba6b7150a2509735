using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Testing;

/// <summary>Facts about this machine's loopback that tests of address handling depend on.</summary>
internal static class Loopback
{
    /// <summary>Whether a socket can bind [::1] here (containers often run without IPv6).</summary>
    public static bool CanBindIPv6()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
