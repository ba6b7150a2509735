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

    // Sub-millisecond requests are the common case here; the default buckets (5 ms and up) would lump them together.
    private static readonly double[] DurationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // Boxed once, so tagging a measurement with its status allocates nothing.
    private static readonly object[] StatusCodes = [.. Enumerable.Range(0, 1000).Select(code => (object)code)];

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
        _requestDuration = meter.CreateHistogram<double>("http2lab.request.duration", "s",
            "Requests the Http2Router served, from the handler's start to its completion; by method, status and scheme.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _resets = meter.CreateCounter<long>("http2lab.streams.reset", "{stream}", "Streams ended by RST_STREAM or a closing connection, by error code.");
        _connectionErrors = meter.CreateCounter<long>("http2lab.connection.errors", "{connection}", "Connections ended with a GOAWAY carrying an error, by error code.");
    }

    internal void StreamStarted()
    {
        _streamsOpened.Add(1);
        _streamsActive.Add(1);
    }

    internal void StreamFinished() => _streamsActive.Add(-1);

    /// <summary>Whether anything listens to <c>http2lab.request.duration</c> (else the request is not timed).</summary>
    internal bool RequestDurationEnabled => _requestDuration.Enabled;

    /// <summary>Records one request the router served.</summary>
    internal void RequestFinished(double seconds, string method, int status, string scheme) =>
        _requestDuration.Record(seconds,
            new KeyValuePair<string, object?>("http.request.method", method),
            new KeyValuePair<string, object?>("http.response.status_code", (uint)status < StatusCodes.Length ? StatusCodes[status] : status),
            new KeyValuePair<string, object?>("url.scheme", scheme));

    internal void StreamReset(Http2ErrorCode code) => _resets.Add(1, Tag(code));

    internal void ConnectionError(Http2ErrorCode code) => _connectionErrors.Add(1, Tag(code));

    // Boxed names prepared once: recording allocates nothing.
    private static KeyValuePair<string, object?> Tag(Http2ErrorCode code) =>
        new("http2.error_code", (uint)code < ErrorNames.Length ? ErrorNames[(int)code] : "Unknown");
}
