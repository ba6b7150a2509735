using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Builds the connection pipeline of an endpoint: logging and metrics, then TLS with ALPN h2 for https
/// endpoints, then the endpoint's protocol (from <see cref="ProtocolRegistry"/>).
/// </summary>
public sealed class ConnectionPipelineFactory
{
    private readonly IServiceProvider _services;
    private readonly ProtocolRegistry _protocols;
    private readonly ServerCertificateLoader _certificates;
    private readonly IOptions<TransportOptions> _options;

    /// <summary>Creates the factory.</summary>
    /// <param name="services">The host's services, handed to middleware and protocols.</param>
    /// <param name="protocols">The registered protocols.</param>
    /// <param name="certificates">Loads the certificates of https endpoints.</param>
    /// <param name="options">Supplies the TLS handshake timeout.</param>
    public ConnectionPipelineFactory(
        IServiceProvider services,
        ProtocolRegistry protocols,
        ServerCertificateLoader certificates,
        IOptions<TransportOptions> options)
    {
        _services = services;
        _protocols = protocols;
        _certificates = certificates;
        _options = options;
    }

    /// <summary>Builds the pipeline of one endpoint.</summary>
    /// <param name="endpointName">The endpoint's configuration name.</param>
    /// <param name="endpoint">The endpoint's options.</param>
    /// <param name="endpointKey">The endpoint's configuration key for error messages; defaults to <c>Http2Lab:Endpoints:&lt;name&gt;</c>.</param>
    /// <exception cref="Http2LabConfigurationException">Unknown protocol, invalid URL, or a certificate that cannot be loaded.</exception>
    public ConnectionDelegate Create(string endpointName, EndpointOptions endpoint, string? endpointKey = null)
    {
        ArgumentNullException.ThrowIfNull(endpointName);
        ArgumentNullException.ThrowIfNull(endpoint);
        endpointKey ??= $"{TransportOptions.SectionName}:Endpoints:{endpointName}";

        if (!EndpointUrl.TryParse(endpoint.Url, out var url))
        {
            throw new Http2LabConfigurationException(
                $"{endpointKey}:Url", $"'{endpoint.Url}' is not a valid URL (expected http://host:port or https://host:port)");
        }

        if (!_protocols.TryGet(endpoint.Protocol, out var protocol))
        {
            throw new Http2LabConfigurationException(
                $"{endpointKey}:Protocol", $"unknown protocol '{endpoint.Protocol}' (known: {string.Join(", ", _protocols.Names)})");
        }

        var builder = new ConnectionBuilder(_services);
        builder.UseHttp2LabConnectionLogging(endpointName);
        if (url.IsHttps)
        {
            var certificate = _certificates.GetCertificate(endpointKey, endpoint);
            builder.UseHttp2LabTls(endpointName, certificate, _options.Value.HandshakeTimeout);
        }

        protocol.Configure(builder, endpointName, endpoint);
        return builder.Build();
    }
}
