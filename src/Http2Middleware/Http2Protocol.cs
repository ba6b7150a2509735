using System.Net.Security;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2;

/// <summary>
/// The <c>Http2</c> protocol: each connection runs an HTTP/2 connection processor (the sans-IO session and the
/// <see cref="Http2Router"/>'s handlers), on whichever dispatcher the endpoint names; over TLS the client must
/// negotiate ALPN <c>h2</c>.
/// </summary>
internal sealed class Http2Protocol : IConnectionProtocol
{
    /// <summary>The protocol's configuration name.</summary>
    public const string ProtocolName = "Http2";

    private readonly ReloadableOptions<Http2Limits> _limits;
    private readonly Http2Router _router;
    private readonly Http2ApplicationHandler _application;
    private readonly Http2Metrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the protocol from DI.</summary>
    public Http2Protocol(ReloadableOptions<Http2Limits> limits, Http2Router router, Http2ApplicationHandler application, Http2Metrics metrics,
        ILogger<Http2Protocol> logger)
    {
        _limits = limits;
        _router = router;
        _application = application;
        _metrics = metrics;
        _logger = logger;

        // Loads gzip (and its native library) now rather than on the first gzip request body, which might come when
        // the process is out of file descriptors and then fail for good.
        using var warm = new System.IO.Compression.GZipStream(Stream.Null, System.IO.Compression.CompressionMode.Decompress);
    }

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } = [SslApplicationProtocol.Http2];

    /// <inheritdoc />
    public ConnectionProcessorFactory CreateFactory(string endpointName, EndpointOptions endpoint, string endpointKey)
    {
        Http2RequestHandler handler = _application.Handler ?? _router.HandleAsync;
        // The limits as they are when each connection opens: a configuration reload changes them for new connections.
        return context => new Http2ConnectionProcessor(context, _limits.Current, handler, _metrics, _logger);
    }
}
