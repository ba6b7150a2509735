using System.Diagnostics.Metrics;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// The transport's instruments, on the meter <see cref="MeterName"/>. Every measurement carries the
/// endpoint name as tag <c>http2lab.endpoint</c>.
/// </summary>
internal sealed class TransportMetrics
{
    /// <summary>The name of the transport's <see cref="Meter"/>.</summary>
    public const string MeterName = "Http2Lab.Transport";

    /// <summary>The tag that carries the endpoint name.</summary>
    public const string EndpointTag = "http2lab.endpoint";

    private readonly Counter<long> _opened;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _handshakeFailures;
    private readonly Counter<long> _rejected;

    /// <summary>Creates the instruments on a meter owned by <paramref name="meterFactory"/>.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    public TransportMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _opened = meter.CreateCounter<long>(
            "http2lab.connections.opened", "{connection}", "Connections accepted.");
        _active = meter.CreateUpDownCounter<long>(
            "http2lab.connections.active", "{connection}", "Connections currently open.");
        _duration = meter.CreateHistogram<double>(
            "http2lab.connection.duration", "s", "How long connections stayed open.");
        _handshakeFailures = meter.CreateCounter<long>(
            "http2lab.tls.handshake.failures", "{handshake}", "TLS handshakes that failed, timed out or did not negotiate the protocol's ALPN id.");
        _rejected = meter.CreateCounter<long>(
            "http2lab.connections.rejected", "{connection}", "Connections accepted and closed at once (connection limit, poll capacity).");
    }

    internal void ConnectionOpened(string endpoint)
    {
        var tag = Tag(endpoint);
        _opened.Add(1, tag);
        _active.Add(1, tag);
    }

    internal void ConnectionClosed(string endpoint, TimeSpan duration)
    {
        var tag = Tag(endpoint);
        _active.Add(-1, tag);
        _duration.Record(duration.TotalSeconds, tag);
    }

    internal void ConnectionRejected(string endpoint, string reason) =>
        _rejected.Add(1, Tag(endpoint), new KeyValuePair<string, object?>("error.type", reason));

    internal void TlsHandshakeFailed(string endpoint, string reason) =>
        _handshakeFailures.Add(1, Tag(endpoint), new KeyValuePair<string, object?>("error.type", reason));

    private static KeyValuePair<string, object?> Tag(string endpoint) => new(EndpointTag, endpoint);
}
