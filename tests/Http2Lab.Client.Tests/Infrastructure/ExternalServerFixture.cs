namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// An external HTTP/2 server on 127.0.0.1 serving <see cref="ServerFiles"/> over h2c (prior knowledge) and TLS. Started
/// on first use, once for the whole collection, so a missing server fails only the tests that need it; its processes
/// and files go when the collection ends.
/// </summary>
public abstract class ExternalServerFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<ExternalServer> _servers = [];
    private ServerFiles? _files;
    private (Uri H2c, Uri Tls)? _urls;

    /// <summary>The base URL of the h2c or TLS endpoint, starting the server on first use.</summary>
    public async Task<Uri> UrlAsync(bool tls)
    {
        await _gate.WaitAsync();
        try
        {
            if (_urls is null)
            {
                _files = await ServerFiles.CreateAsync();
                _urls = await StartAsync(_files, _servers);
            }
        }
        finally
        {
            _gate.Release();
        }

        return tls ? _urls.Value.Tls : _urls.Value.H2c;
    }

    /// <summary>Starts the server(s) on free ports over <paramref name="files"/>, adding each process to <paramref name="started"/>.</summary>
    protected abstract Task<(Uri H2c, Uri Tls)> StartAsync(ServerFiles files, List<ExternalServer> started);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _servers.ForEach(s => s.Dispose());
        _files?.Dispose();
        _gate.Dispose();
        return Task.CompletedTask;
    }
}
