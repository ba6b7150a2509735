using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Echo;

/// <summary>
/// Registers the echo protocol under the name <see cref="ProtocolName"/>: endpoints with
/// <c>"Protocol": "Echo"</c> end their pipeline in <see cref="EchoConnectionHandler"/>.
/// </summary>
public sealed class EchoProtocol : IConnectionProtocol
{
    /// <summary>The protocol name endpoints use.</summary>
    public const string ProtocolName = "Echo";

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public void Configure(IConnectionBuilder builder, string endpointName, EndpointOptions endpoint) =>
        builder.UseConnectionHandler<EchoConnectionHandler>();
}
