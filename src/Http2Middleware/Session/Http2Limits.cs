using System.ComponentModel.DataAnnotations;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Protocol limits of one HTTP/2 connection, bound from <c>Http2Lab:Limits</c>.
/// Defaults follow Kestrel's; the first five are advertised in our SETTINGS.
/// </summary>
public sealed class Http2Limits
{
    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS; more streams are refused with REFUSED_STREAM.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConcurrentStreams { get; set; } = 100;

    /// <summary>SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table our decoder allows.</summary>
    [Range(0, int.MaxValue)]
    public int HeaderTableSize { get; set; } = Http2Constants.DefaultHeaderTableSize;

    /// <summary>SETTINGS_MAX_FRAME_SIZE: the largest frame payload we accept.</summary>
    [Range(Http2Constants.DefaultMaxFrameSize, Http2Constants.MaxAllowedFrameSize)]
    public int MaxFrameSize { get; set; } = Http2Constants.DefaultMaxFrameSize;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE: larger request header lists get 431.</summary>
    [Range(1, int.MaxValue)]
    public int MaxHeaderListSize { get; set; } = 32 * 1024;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE: the receive window of each new stream.</summary>
    [Range(Http2Constants.DefaultInitialWindowSize, Http2Constants.MaxWindowSize)]
    public int InitialStreamWindowSize { get; set; } = 768 * 1024;

    /// <summary>The connection's receive window, raised from 65535 by a WINDOW_UPDATE after our SETTINGS.</summary>
    [Range(Http2Constants.DefaultInitialWindowSize, Http2Constants.MaxWindowSize)]
    public int InitialConnectionWindowSize { get; set; } = 1024 * 1024;

    /// <summary>Response octets buffered per stream before the writer must wait for the peer's window.</summary>
    [Range(1024, int.MaxValue)]
    public int StreamOutputBufferSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Output queued for the socket above which the session stops reading frames, so a peer that
    /// sends but never reads (PING or SETTINGS floods) cannot grow memory without bound.
    /// </summary>
    [Range(16 * 1024, int.MaxValue)]
    public int MaxOutputBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// Response octets buffered for all streams of one connection together, waiting for the client's windows:
    /// with <see cref="MaxOutputBufferSize"/> this bounds what a client that does not read can make us hold.
    /// </summary>
    [Range(16 * 1024, int.MaxValue)]
    public int ConnectionResponseBufferSize { get; set; } = 256 * 1024;

    /// <summary>CONTINUATION frames allowed in one header block before ENHANCE_YOUR_CALM.</summary>
    [Range(1, int.MaxValue)]
    public int MaxContinuationFrames { get; set; } = 256;

    /// <summary>
    /// Stream resets per second — by the client, or by us because of its stream errors (refused streams,
    /// malformed requests, flow-control violations) — before the connection is closed with
    /// ENHANCE_YOUR_CALM: rapid reset (CVE-2023-44487) and its provoked variant cost us work per stream.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxResetStreamsPerSecond { get; set; } = 200;

    /// <summary>PING frames per second a client may send (each costs an ACK) before ENHANCE_YOUR_CALM.</summary>
    [Range(1, int.MaxValue)]
    public int MaxPingsPerSecond { get; set; } = 100;

    /// <summary>SETTINGS frames per second a client may send (each costs an ACK) before ENHANCE_YOUR_CALM.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSettingsPerSecond { get; set; } = 100;

    /// <summary>
    /// Time from the start of the connection to the client's preface and first SETTINGS; slower clients get
    /// GOAWAY PROTOCOL_ERROR.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan ClientPrefaceTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time the client has to acknowledge our SETTINGS; then GOAWAY SETTINGS_TIMEOUT (§6.5.3).</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan SettingsAckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time a header block may take from its first octet to its last (HEADERS and its CONTINUATIONs);
    /// then GOAWAY ENHANCE_YOUR_CALM, since nothing else can be processed on the connection meanwhile.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Request body octets per second a client must send, while the stream's window is open, once
    /// <see cref="DataRateGracePeriod"/> has passed; slower streams are reset (CANCEL, or NO_ERROR when the
    /// response is already complete). 0 disables the check (e.g. for long-lived bidirectional streams).
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>
    /// Response octets per second a client must accept, while a stream has data waiting for its window (or
    /// the connection's output waits for the client to read), once <see cref="DataRateGracePeriod"/> has passed.
    /// Slower streams are reset with CANCEL; a connection whose socket is not read is closed. 0 disables it.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int MinResponseDataRate { get; set; } = 240;

    /// <summary>How long a transfer may run below the minimum data rates before they are enforced.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The largest request body accepted. A larger <c>content-length</c> is answered with 413; a body that
    /// grows past it without one is reset with CANCEL. Null: unlimited.
    /// </summary>
    [Range(0L, long.MaxValue)]
    public long? MaxRequestBodySize { get; set; } = 30_000_000;

    /// <summary>
    /// A connection with no open stream that completes no frame for this long is closed with GOAWAY
    /// NO_ERROR — idle clients, and clients that connect and send nothing or drip partial frames.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "1.00:00:00")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(130);
}
