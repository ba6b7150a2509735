using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// A protocol that endpoints can name in <see cref="EndpointOptions.Protocol"/>. It adds the terminal
/// <see cref="ConnectionDelegate"/> (and any protocol-specific middleware) to an endpoint's connection pipeline,
/// after the transport's own middleware (logging, metrics, TLS).
/// </summary>
/// <remarks>Register implementations as <c>IConnectionProtocol</c> singletons, or use
/// <see cref="Http2LabServiceCollectionExtensions.AddHttp2LabProtocol(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{IServiceProvider, IConnectionBuilder, EndpointOptions})"/>.</remarks>
public interface IConnectionProtocol
{
    /// <summary>The name endpoints use to select this protocol (compared case-insensitively).</summary>
    string Name { get; }

    /// <summary>Adds this protocol's handler to the connection pipeline of one endpoint.</summary>
    /// <param name="builder">The endpoint's connection pipeline; its <see cref="IConnectionBuilder.ApplicationServices"/> is the host's service provider.</param>
    /// <param name="endpointName">The endpoint's configuration name.</param>
    /// <param name="endpoint">The endpoint's options.</param>
    void Configure(IConnectionBuilder builder, string endpointName, EndpointOptions endpoint);
}
