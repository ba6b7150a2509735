using System.Net.Security;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Echo;

/// <summary>
/// Registers the echo protocol under the name <see cref="ProtocolName"/>: endpoints with <c>"Protocol": "Echo"</c>
/// run an <see cref="EchoProcessor"/> per connection (<c>EchoMode</c>: <c>Lines</c> or <c>Bytes</c>;
/// <c>EchoBufferSize</c>). Over TLS it needs no ALPN.
/// </summary>
internal sealed class EchoProtocol : IConnectionProtocol
{
    /// <summary>The protocol name endpoints use.</summary>
    public const string ProtocolName = "Echo";

    /// <inheritdoc />
    public string Name => ProtocolName;

    /// <inheritdoc />
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols => [];

    /// <inheritdoc />
    public ConnectionProcessorFactory CreateFactory(string endpointName, EndpointOptions endpoint, string endpointKey)
    {
        if (!EchoModes.TryParse(endpoint.EchoMode, out EchoMode? mode))
        {
            throw new Http2LabConfigurationException($"{endpointKey}:EchoMode", $"'{endpoint.EchoMode}' is not an echo mode (Lines or Bytes)");
        }

        int size = endpoint.EchoBufferSize;
        return _ => new EchoProcessor(mode.Value, size);
    }
}
