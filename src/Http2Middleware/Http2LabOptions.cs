using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;

namespace Http2Lab.Http2;

/// <summary>
/// Everything <c>UseHttp2Lab</c> reads from the <c>Http2Lab</c> configuration section, for refining in code:
/// endpoints and timeouts (<see cref="Transport"/>), the protocol limits (<see cref="Limits"/>) and the
/// application options (<see cref="Application"/>).
/// </summary>
public sealed class Http2LabOptions
{
    /// <summary>Wraps the two option objects being configured.</summary>
    internal Http2LabOptions(TransportOptions transport, Http2Limits limits, Http2ApplicationOptions? application = null)
    {
        Transport = transport;
        Limits = limits;
        Application = application ?? new Http2ApplicationOptions();
    }

    /// <summary>Endpoints, handshake and shutdown timeouts.</summary>
    public TransportOptions Transport { get; }

    /// <summary>The endpoints by name (same as <c>Transport.Endpoints</c>).</summary>
    public Dictionary<string, EndpointOptions> Endpoints => Transport.Endpoints;

    /// <summary>HTTP/2 limits (<c>Http2Lab:Limits</c>).</summary>
    public Http2Limits Limits { get; }

    /// <summary>How requests are answered (<c>Http2Lab:Application</c>), e.g. <see cref="Http2ApplicationOptions.AddDateHeader"/>.</summary>
    public Http2ApplicationOptions Application { get; }
}
