namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Loads, at start-up, the assemblies the connection path would otherwise load on the first connection. The runtime
/// loads assemblies (and native libraries) lazily; if that first happens while the process is out of file
/// descriptors (a connection flood at the descriptor limit), the load fails and the failure is cached for good: the
/// server would not recover when descriptors free up. The list is what a first connection of each kind (h2c, TLS,
/// echo, on every dispatcher) was seen to load; a protocol warms its own (HTTP/2: gzip request bodies).
/// </summary>
internal static class AssemblyPreloader
{
    private static int _done;

    public static void LoadConnectionPath()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }

        _ = typeof(System.Threading.Channels.Channel<byte>).Assembly;                             // the pipe driver's writer signal
        _ = typeof(Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature).Assembly; // the TLS feature
        _ = typeof(Microsoft.AspNetCore.Http.Features.FeatureCollection).Assembly;                // connection features
    }
}
