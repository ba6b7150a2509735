using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;

namespace Http2Lab.Http2;

/// <summary>
/// Everything <c>UseHttp2Lab</c> reads from the <c>Http2Lab</c> configuration section, for refining in code:
/// endpoints and timeouts (<see cref="Transport"/>) and the protocol limits (<see cref="Limits"/>).
/// </summary>
public sealed class Http2LabOptions
{
    /// <summary>Wraps the two option objects being configured.</summary>
    internal Http2LabOptions(TransportOptions transport, Http2Limits limits)
    {
        Transport = transport;
        Limits = limits;
    }

    /// <summary>Endpoints, handshake and shutdown timeouts.</summary>
    public TransportOptions Transport { get; }

    /// <summary>The endpoints by name (same as <c>Transport.Endpoints</c>).</summary>
    public Dictionary<string, EndpointOptions> Endpoints => Transport.Endpoints;

    /// <summary>HTTP/2 limits (<c>Http2Lab:Limits</c>).</summary>
    public Http2Limits Limits { get; }
}
