using System.Net.Security;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Http2.Static;

/// <summary>
/// The <c>Http2Static</c> protocol, the lab's upper bound: the full HTTP/2 session (settings, flow control, limits,
/// every check) answering every request with one response encoded at start-up — <c>200</c>,
/// <c>content-type: text/plain</c>, <c>Hello World\n</c> (the sample's <c>GET /</c>) — with no routing and no HPACK
/// encoding per response. What it costs is what the transport and the session cost.
/// </summary>
internal sealed class Http2StaticProtocol : IConnectionProtocol
{
    /// <summary>The protocol's configuration name.</summary>
    public const string ProtocolName = "Http2Static";

    private readonly Http2Limits _limits;
    private readonly Http2Metrics _metrics;
    private readonly ILogger _logger;
    private readonly StaticResponses _responses = new(StaticResponses.DefaultBody, "text/plain");

    /// <summary>Creates the protocol from DI.</summary>
    public Http2StaticProtocol(IOptions<Http2Limits> limits, Http2Metrics metrics, ILogger<Http2StaticProtocol> logger)
    {
        _limits = limits.Value;
        _metrics = metrics;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } = [SslApplicationProtocol.Http2];

    /// <inheritdoc />
    public ConnectionProcessorFactory CreateFactory(string endpointName, EndpointOptions endpoint, string endpointKey) =>
        context => new Http2StaticProcessor(context, _limits, _responses, _metrics, _logger);
}
