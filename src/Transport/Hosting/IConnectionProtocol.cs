using System.Net.Security;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// A protocol that endpoints can name in <see cref="EndpointOptions.Protocol"/>. It handles each connection with a
/// sans-IO <see cref="IConnectionProcessor"/>, so every dispatcher can run it; over TLS the transport offers its
/// <see cref="ApplicationProtocols"/> with ALPN.
/// </summary>
/// <remarks>Register implementations as <c>IConnectionProtocol</c> singletons, or use
/// <see cref="Http2LabServiceCollectionExtensions.AddHttp2LabProtocol(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Func{IServiceProvider, EndpointOptions, ConnectionProcessorFactory}, IReadOnlyList{SslApplicationProtocol}?)"/>.</remarks>
public interface IConnectionProtocol
{
    /// <summary>The name endpoints use to select this protocol (compared case-insensitively).</summary>
    string Name { get; }

    /// <summary>The ALPN ids a TLS client must negotiate (e.g. <c>h2</c>), in preference order; empty: no ALPN needed.</summary>
    IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; }

    /// <summary>Prepares the protocol for one endpoint; called once per endpoint at start-up.</summary>
    /// <param name="endpointName">The endpoint's configuration name.</param>
    /// <param name="endpoint">The endpoint's options.</param>
    /// <param name="endpointKey">The endpoint's configuration key, for error messages.</param>
    /// <returns>Creates the processor of each connection of the endpoint.</returns>
    ConnectionProcessorFactory CreateFactory(string endpointName, EndpointOptions endpoint, string endpointKey);
}
