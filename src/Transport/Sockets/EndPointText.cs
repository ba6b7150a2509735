using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Transport.Sockets;

/// <summary>
/// A connection's address as log lines and metrics show it. A client of a Unix domain socket usually has no address
/// of its own (an unnamed socket, an empty path), which would print as nothing at all.
/// </summary>
internal static class EndPointText
{
    public static string Describe(EndPoint? endPoint) => endPoint switch
    {
        null => "unknown",
        UnixDomainSocketEndPoint unix => unix.ToString() is { Length: > 0 } path ? $"unix:{path}" : "unix:(unnamed)",
        _ => endPoint.ToString() ?? "unknown",
    };
}
