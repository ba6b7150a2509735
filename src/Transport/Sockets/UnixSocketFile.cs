using System.Net.Sockets;

namespace Http2Lab.Transport.Sockets;

/// <summary>
/// The file of a Unix domain socket endpoint. Binding fails while the path exists, and a server that died leaves its
/// file behind; so before binding, a file nobody listens on any more is removed (a live server's is left alone, and
/// so is anything that is not an empty socket file), and at stop the server removes its own.
/// </summary>
internal static class UnixSocketFile
{
    /// <summary>Removes a stale socket file at <paramref name="path"/>; returns why the path cannot be bound, or null.</summary>
    public static string? RemoveStale(string path)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            return $"the directory '{directory}' does not exist";
        }

        if (Directory.Exists(path))
        {
            return $"'{path}' is a directory";
        }

        if (!File.Exists(path))
        {
            return null;
        }

        if (new FileInfo(path).Length > 0)
        {
            return $"'{path}' is a file with content, not a socket: remove it or choose another path";
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // Nobody accepts on it: left by a server that is gone.
            return TryDelete(path) ? null : $"the stale socket file '{path}' cannot be removed";
        }

        return $"another server is listening on '{path}'";
    }

    /// <summary>Removes the socket file (at stop); false when it cannot be.</summary>
    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
