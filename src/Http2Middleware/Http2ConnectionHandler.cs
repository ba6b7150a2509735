using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Http2;

/// <summary>
/// The end of an endpoint's connection pipeline: speaks HTTP/2 over the connection's (possibly
/// decrypted) duplex pipe, driving an <see cref="Http2Session"/> and the <see cref="Http2Router"/>'s handlers.
/// </summary>
public sealed class Http2ConnectionHandler : ConnectionHandler
{
    private readonly Http2Limits _limits;
    private readonly Http2Router _router;
    private readonly ILogger _logger;
    private readonly Http2Metrics _metrics;

    /// <summary>Creates the handler from DI.</summary>
    public Http2ConnectionHandler(IOptions<Http2Limits> limits, Http2Router router, Http2Metrics metrics, ILogger<Http2ConnectionHandler> logger)
    {
        _limits = limits.Value;
        _router = router;
        _metrics = metrics;
        _logger = logger;
    }

    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new Http2Connection(connection, _limits, _router.HandleAsync, _metrics, _logger).RunAsync();
}
