using Http2Lab.Transport.Dispatchers;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// One running endpoint of the <see cref="EndpointHost"/>: its dispatchers (two for <c>localhost</c>), the Unix socket
/// files it created, and the fingerprint of the settings it was started with (a reload that changes it rebinds it).
/// </summary>
internal sealed class EndpointRun(string fingerprint)
{
    public string Fingerprint { get; } = fingerprint;

    public List<Dispatcher> Dispatchers { get; } = [];

    public List<string> UnixSockets { get; } = [];

    /// <summary>Stops accepting, lets the connections finish (GOAWAY, up to the shutdown timeout), then releases everything.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(Dispatchers.Select(d => d.StopAsync(cancellationToken))).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dispatcher in Dispatchers)
        {
            await dispatcher.DisposeAsync().ConfigureAwait(false);
        }

        Dispatchers.Clear();
        RemoveUnixSocketFiles();
    }

    /// <summary>Deletes the files of the Unix sockets this endpoint bound (their listeners are closed by then).</summary>
    public void RemoveUnixSocketFiles()
    {
        foreach (var path in UnixSockets)
        {
            Sockets.UnixSocketFile.TryDelete(path);
        }

        UnixSockets.Clear();
    }
}
