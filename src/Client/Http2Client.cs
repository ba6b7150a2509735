using Http2Lab.Client.Connection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Client;

/// <summary>
/// An HTTP/2 client on the lab's sans-IO protocol core. One connection per origin (scheme, host, port), shared by
/// concurrent requests; https uses TLS 1.2+ with SNI and ALPN <c>h2</c>, http uses HTTP/2 with prior knowledge (h2c).
/// Requests the server refused unprocessed (GOAWAY, REFUSED_STREAM) are retried on a new connection when their body
/// can be sent again. Redirects are not followed. Thread-safe.
/// </summary>
public sealed class Http2Client : IAsyncDisposable, IDisposable
{
    private readonly Http2ClientOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Task<Http2ClientConnection>> _connections = [];
    private readonly List<Http2ClientConnection> _all = [];
    private readonly Lock _gate = new();
    private long _connectionsOpened;
    private bool _disposed;

    /// <summary>Creates a client; nothing connects until the first request.</summary>
    public Http2Client(Http2ClientOptions? options = null)
    {
        _options = options ?? new Http2ClientOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
    }

    /// <summary>Connections opened so far (a new one follows a GOAWAY or a failure).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    /// <summary>A GET of <paramref name="url"/>.</summary>
    public Task<Http2ClientResponse> GetAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync(Http2ClientRequest.Get(url), cancellationToken);

    /// <summary>A POST of <paramref name="text"/> as <c>text/plain; charset=utf-8</c>.</summary>
    public Task<Http2ClientResponse> PostAsync(string url, string text, CancellationToken cancellationToken = default) =>
        SendAsync(Http2ClientRequest.Post(url, text), cancellationToken);

    /// <summary>A POST of <paramref name="octets"/> as <c>application/octet-stream</c>.</summary>
    public Task<Http2ClientResponse> PostAsync(string url, byte[] octets, CancellationToken cancellationToken = default) =>
        SendAsync(Http2ClientRequest.Post(url, octets), cancellationToken);

    /// <summary>
    /// Sends a PING (RFC 9113 §6.7) on the connection to <paramref name="url"/>'s origin (opening it if there is none)
    /// and returns the time until the server acknowledged it: the round trip through both HTTP/2 stacks.
    /// </summary>
    /// <exception cref="Http2ClientException">The connection failed or closed before the acknowledgement.</exception>
    public async Task<TimeSpan> PingAsync(string url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var uri = new Uri(url, UriKind.Absolute);
        Http2ClientConnection connection = await GetConnectionAsync(uri, cancellationToken).ConfigureAwait(false);
        return await connection.PingAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns once the response header section arrived; read the body from the
    /// response. Cancelling resets the stream (RST_STREAM CANCEL) and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="Http2ClientException">The connection failed, or the stream or connection ended with an error.</exception>
    public async Task<Http2ClientResponse> SendAsync(Http2ClientRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_disposed, this);
        IReadOnlyList<KeyValuePair<string, string>> headers = BuildHeaders(request);
        bool endStream = !request.HasContent && request.Trailers.Count == 0;
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Http2ClientConnection connection = await GetConnectionAsync(request.Url, cancellationToken).ConfigureAwait(false);
            ClientExchange? exchange = connection.TryStart(request, endStream, headers);
            if (exchange is null)
            {
                Forget(request.Url, connection); // draining: the next attempt opens a new one
                if (attempt < _options.MaxRetries + 1)
                {
                    continue;
                }

                throw new Http2ClientException($"{request.Url.Authority} accepts no new requests (GOAWAY)");
            }

            if (request.HasContent || request.Trailers.Count > 0)
            {
                _ = exchange.SendBodyAsync(request, cancellationToken);
            }

            try
            {
                using (cancellationToken.Register(static state => ((ClientExchange)state!).Cancel(default), exchange))
                {
                    return await exchange.Response.ConfigureAwait(false);
                }
            }
            catch (Http2ClientException ex) when (ex.IsRefused && request.ContentStream is null && attempt < _options.MaxRetries)
            {
                ClientLog.Retry(_logger, request.Method, request.Url, ex.Message);
                Forget(request.Url, connection);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("the request was cancelled (RST_STREAM CANCEL)", cancellationToken);
            }
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> BuildHeaders(Http2ClientRequest request)
    {
        var headers = new List<KeyValuePair<string, string>>(request.Headers.Count + 3);
        bool hasAcceptEncoding = false, hasContentType = false;
        foreach ((string name, string value) in request.Headers)
        {
            string lower = name.ToLowerInvariant();
            if (lower is "host" or "connection" or "keep-alive" or "proxy-connection" or "transfer-encoding" or "upgrade")
            {
                continue; // §8.2.2: connection-specific fields are malformed in HTTP/2; the host goes in :authority
            }

            hasAcceptEncoding |= lower == "accept-encoding";
            hasContentType |= lower == "content-type";
            headers.Add(new(lower, value));
        }

        if (request.ContentType is { } contentType && !hasContentType)
        {
            headers.Add(new("content-type", contentType));
        }

        if (request.Content is { } content)
        {
            headers.Add(new("content-length", content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (_options.AutomaticDecompression && !hasAcceptEncoding)
        {
            headers.Add(new("accept-encoding", "gzip, br"));
        }

        return headers;
    }

    private Task<Http2ClientConnection> GetConnectionAsync(Uri url, CancellationToken cancellationToken)
    {
        string key = $"{url.Scheme}://{url.IdnHost}:{url.Port}";
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connections.TryGetValue(key, out Task<Http2ClientConnection>? existing)
                && !(existing.IsCompleted && (!existing.IsCompletedSuccessfully || !existing.Result.IsUsable)))
            {
                return existing;
            }

            Task<Http2ClientConnection> connecting = ConnectAsync(url, cancellationToken);
            _connections[key] = connecting;
            return connecting;
        }
    }

    private async Task<Http2ClientConnection> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        await Task.Yield(); // leave the lock
        Http2ClientConnection connection = await ClientConnector.ConnectAsync(url, _options, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _connectionsOpened);
        lock (_gate)
        {
            _all.Add(connection);
        }

        // A connection that ended (GOAWAY, error) returns its buffers and leaves the list at once, not at our dispose.
        _ = connection.Closed.ContinueWith(
            async _ =>
            {
                lock (_gate)
                {
                    _all.Remove(connection);
                }

                await connection.DisposeAsync().ConfigureAwait(false);
            },
            CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        return connection;
    }

    private void Forget(Uri url, Http2ClientConnection connection)
    {
        string key = $"{url.Scheme}://{url.IdnHost}:{url.Port}";
        lock (_gate)
        {
            if (_connections.TryGetValue(key, out Task<Http2ClientConnection>? task) && task.IsCompletedSuccessfully && task.Result == connection)
            {
                _connections.Remove(key);
            }
        }
    }

    /// <summary>Closes every connection gracefully (GOAWAY; streams in flight get up to a second).</summary>
    public async ValueTask DisposeAsync()
    {
        Http2ClientConnection[] connections;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connections = [.. _all];
            _all.Clear();
            _connections.Clear();
        }

        await Task.WhenAll(connections.Select(c => c.CloseAsync(TimeSpan.FromSeconds(1)))).ConfigureAwait(false);
    }

    /// <summary>Closes every connection (see <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
