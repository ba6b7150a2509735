using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Http2;

/// <summary>The <c>Http2</c> protocol: endpoints naming it end their pipeline in <see cref="Http2ConnectionHandler"/>.</summary>
public sealed class Http2Protocol : IConnectionProtocol
{
    /// <summary>The protocol's configuration name.</summary>
    public const string ProtocolName = "Http2";

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public void Configure(IConnectionBuilder builder, string endpointName, EndpointOptions endpoint)
    {
        var handler = builder.ApplicationServices.GetRequiredService<Http2ConnectionHandler>();
        builder.Run(handler.OnConnectedAsync);
    }
}
