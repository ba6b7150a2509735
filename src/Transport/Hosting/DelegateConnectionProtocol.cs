using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Hosting;

/// <summary>An <see cref="IConnectionProtocol"/> defined by a configuration callback.</summary>
internal sealed class DelegateConnectionProtocol(
    string name,
    Action<IServiceProvider, IConnectionBuilder, EndpointOptions> configure) : IConnectionProtocol
{
    public string Name { get; } = name;

    public void Configure(IConnectionBuilder builder, string endpointName, EndpointOptions endpoint) =>
        configure(builder.ApplicationServices, builder, endpoint);
}
