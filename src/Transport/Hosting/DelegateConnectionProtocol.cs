using System.Net.Security;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Hosting;

/// <summary>An <see cref="IConnectionProtocol"/> defined by a factory callback.</summary>
internal sealed class DelegateConnectionProtocol(
    string name,
    Func<IServiceProvider, EndpointOptions, ConnectionProcessorFactory> create,
    IServiceProvider? services,
    IReadOnlyList<SslApplicationProtocol> applicationProtocols) : IConnectionProtocol
{
    public string Name { get; } = name;

    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; } = applicationProtocols;

    public IServiceProvider? Services { get; set; } = services;

    public ConnectionProcessorFactory CreateFactory(string endpointName, EndpointOptions endpoint, string endpointKey) =>
        create(Services ?? throw new InvalidOperationException($"Protocol '{Name}' is not attached to a service provider."), endpoint);
}
