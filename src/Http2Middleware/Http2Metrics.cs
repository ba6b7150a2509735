using System.Diagnostics.Metrics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2;

/// <summary>
/// The HTTP/2 layer's instruments, on the meter <see cref="MeterName"/>: streams, request durations,
/// resets and connection errors by RFC 9113 error code (tag <c>http2.error_code</c>).
/// </summary>
internal sealed class Http2Metrics
{
    /// <summary>The name of the HTTP/2 layer's <see cref="Meter"/>.</summary>
    public const string MeterName = "Http2Lab.Http2";

    private static readonly object[] ErrorNames =
        [.. Enumerable.Range(0, 14).Select(code => (object)((Http2ErrorCode)code).ToString())];

    private readonly Counter<long> _streamsOpened;
    private readonly UpDownCounter<long> _streamsActive;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _resets;
    private readonly Counter<long> _connectionErrors;

    /// <summary>Creates the instruments on a meter owned by <paramref name="meterFactory"/>.</summary>
    public Http2Metrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(MeterName);
        _streamsOpened = meter.CreateCounter<long>("http2lab.streams.opened", "{stream}", "Requests (streams) started.");
        _streamsActive = meter.CreateUpDownCounter<long>("http2lab.streams.active", "{stream}", "Requests whose handler is running.");
        _requestDuration = meter.CreateHistogram<double>("http2lab.request.duration", "s", "From request headers to the handler's completion.");
        _resets = meter.CreateCounter<long>("http2lab.streams.reset", "{stream}", "Streams ended by RST_STREAM or a closing connection, by error code.");
        _connectionErrors = meter.CreateCounter<long>("http2lab.connection.errors", "{connection}", "Connections ended with a GOAWAY carrying an error, by error code.");
    }

    internal void StreamStarted()
    {
        _streamsOpened.Add(1);
        _streamsActive.Add(1);
    }

    internal void StreamFinished(TimeSpan duration)
    {
        _streamsActive.Add(-1);
        _requestDuration.Record(duration.TotalSeconds);
    }

    internal void StreamReset(Http2ErrorCode code) => _resets.Add(1, Tag(code));

    internal void ConnectionError(Http2ErrorCode code) => _connectionErrors.Add(1, Tag(code));

    // Boxed names prepared once: recording allocates nothing.
    private static KeyValuePair<string, object?> Tag(Http2ErrorCode code) =>
        new("http2.error_code", (uint)code < ErrorNames.Length ? ErrorNames[(int)code] : "Unknown");
}
