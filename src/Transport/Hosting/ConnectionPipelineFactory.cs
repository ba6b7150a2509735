using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Prepares an endpoint for its dispatcher (<see cref="EndpointContext"/>): the protocol's processor factory,
/// TLS settings with the protocol's ALPN ids for https endpoints, the connection observer, and the pipe-based
/// pipeline (logging and metrics, then TLS, then the processor).
/// </summary>
internal sealed class ConnectionPipelineFactory
{
    private readonly IServiceProvider _services;
    private readonly ProtocolRegistry _protocols;
    private readonly ServerCertificateLoader _certificates;
    private readonly TransportMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly Func<TransportOptions> _current;

    /// <summary>Creates the factory.</summary>
    /// <param name="services">The host's services, handed to the connection builder.</param>
    /// <param name="protocols">The registered protocols.</param>
    /// <param name="certificates">Loads the certificates of https endpoints.</param>
    /// <param name="options">Supplies the TLS handshake timeout, the shutdown timeout and the limits.</param>
    /// <param name="metrics">The transport's instruments.</param>
    /// <param name="loggers">The host's logger factory.</param>
    /// <param name="reloadable">The options as configuration reloads change them; null: <paramref name="options"/> for good.</param>
    public ConnectionPipelineFactory(
        IServiceProvider services,
        ProtocolRegistry protocols,
        ServerCertificateLoader certificates,
        IOptions<TransportOptions> options,
        TransportMetrics metrics,
        ILoggerFactory loggers,
        ReloadableOptions<TransportOptions>? reloadable = null)
    {
        _services = services;
        _protocols = protocols;
        _certificates = certificates;
        _metrics = metrics;
        _loggers = loggers;
        _current = reloadable is null ? () => options.Value : () => reloadable.Current;
    }

    /// <summary>Prepares one endpoint.</summary>
    /// <param name="endpointName">The endpoint's configuration name.</param>
    /// <param name="endpoint">The endpoint's options.</param>
    /// <param name="endpointKey">The endpoint's configuration key for error messages; defaults to <c>Http2Lab:Endpoints:&lt;name&gt;</c>.</param>
    /// <exception cref="Http2LabConfigurationException">Unknown protocol, invalid URL, or a certificate that cannot be loaded.</exception>
    public EndpointContext Create(string endpointName, EndpointOptions endpoint, string? endpointKey = null)
    {
        ArgumentNullException.ThrowIfNull(endpointName);
        ArgumentNullException.ThrowIfNull(endpoint);
        endpointKey ??= $"{TransportOptions.SectionName}:Endpoints:{endpointName}";

        if (!EndpointUrl.TryParse(endpoint.Url, out var url, out var problem))
        {
            throw new Http2LabConfigurationException(
                endpoint.GeneratedFrom ?? $"{endpointKey}:Url", $"'{endpoint.Url}' is not a valid URL: {problem}");
        }

        if (!_protocols.TryGet(endpoint.Protocol, out var protocol))
        {
            throw new Http2LabConfigurationException(
                endpoint.GeneratedFrom ?? $"{endpointKey}:Protocol",
                $"unknown protocol '{endpoint.Protocol}' (known: {string.Join(", ", _protocols.Names)})");
        }

        var createProcessor = protocol.CreateFactory(endpointName, endpoint, endpointKey);
        TlsServerSettings? tls = null;
        if (url.IsHttps)
        {
            var certificate = _certificates.GetCertificate(endpointKey, endpoint);
            var policy = _certificates.LoadPolicy(endpointKey, endpoint);
            tls = new TlsServerSettings(certificate, protocol.ApplicationProtocols, _current().HandshakeTimeout,
                endpointName, _metrics, _loggers.CreateLogger<TlsConnectionMiddleware>(), policy);
        }

        var observer = new ConnectionObserver(endpointName, _metrics, _loggers.CreateLogger<ConnectionLoggingMiddleware>());
        var builder = new ConnectionBuilder(_services);
        builder.Use(next => new ConnectionLoggingMiddleware(next, observer).OnConnectionAsync);
        if (tls is not null)
        {
            builder.Use(next => new TlsConnectionMiddleware(next, tls).OnConnectionAsync);
        }

        ConnectionDelegate processor = PipeProcessorDriver.Create(createProcessor, _loggers.CreateLogger<PipeProcessorDriver>());
        builder.Use(_ => processor);
        return new EndpointContext(endpointName, endpointKey, endpoint, createProcessor, tls, observer, builder.Build(),
            _current, _loggers);
    }
}
