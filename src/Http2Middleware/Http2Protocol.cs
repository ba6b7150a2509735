using System.Net.Security;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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

    /// <summary>The log category whose scope (connection, stream, client address) wraps every routed handler.</summary>
    public const string RequestScopeCategory = "Http2Lab.Http2.Requests";

    private readonly ReloadableOptions<Http2Limits> _limits;
    private readonly Http2Router _router;
    private readonly Http2ApplicationHandler _application;
    private readonly Http2Metrics _metrics;
    private readonly ILogger _logger;
    private readonly ILogger _requestScopeLogger;
    private readonly Http2ApplicationOptions _options;
    private readonly IServiceScopeFactory _scopes;

    /// <summary>Creates the protocol from DI.</summary>
    public Http2Protocol(ReloadableOptions<Http2Limits> limits, IOptions<Http2ApplicationOptions> options, Http2Router router,
        Http2ApplicationHandler application, Http2Metrics metrics, IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        _limits = limits;
        _options = options.Value;
        _router = router;
        _application = application;
        _metrics = metrics;
        _scopes = scopes;
        _logger = loggers.CreateLogger<Http2Protocol>();
        _requestScopeLogger = loggers.CreateLogger(RequestScopeCategory);

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
        // The limits are read as each connection opens: a configuration reload changes them for new connections.
        ReloadableOptions<Http2Limits> limits = _limits;
        bool date = _options.AddDateHeader;

        // The router's path: DI scope, span, duration and log scope around each handler (RouterPipeline).
        Http2RequestHandler routed = new RouterPipeline(_router.HandleAsync, _metrics, _requestScopeLogger).HandleAsync;
        IServiceScopeFactory scopes = _scopes;
        Http2ApplicationHandler application = _application;

        // Which one answers is read per connection, not here: the endpoints may be prepared (Http2LabHostRunner's
        // preflight) before the ASP.NET Core server has set its handler, which has its own span, metric, log scope
        // and RequestServices.
        return context => application.Handler is { } handler
            ? new Http2ConnectionProcessor(context, limits.Current, handler, _metrics, _logger) { AddDateHeader = date }
            : new Http2ConnectionProcessor(context, limits.Current, routed, _metrics, _logger) { AddDateHeader = date, ScopeFactory = scopes };
    }
}
