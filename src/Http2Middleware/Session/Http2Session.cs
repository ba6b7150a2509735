using Http2Lab.Http2.Frames;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session;

/// <summary>
/// The server side of one HTTP/2 connection (RFC 9113) on the shared sans-IO core (<see cref="Http2SessionCore{TStream}"/>),
/// with the server's rules: it reads the client's preface (and answers HTTP/1.x with 505), accepts and validates the
/// client's requests within its limits (431, 413, MAX_CONCURRENT_STREAMS), rations resets, PINGs and SETTINGS, times
/// out stalled peers, and shuts down gracefully in two steps. A driver feeds it the octets that arrived
/// (<see cref="Http2SessionCore{TStream}.Receive"/>), writes out what it queued, calls <see cref="OnHeartbeat"/> about
/// once a second, and closes the transport once it is completed (at once, without flushing, when
/// <see cref="RequiresAbort"/>).
/// </summary>
internal sealed partial class Http2Session : Http2SessionCore<Http2ServerStream>
{
    private readonly IHttp2SessionHandler _handler;
    private long _settingsSentAt;
    private long _pingSentAt;
    private ulong _pingPayload;
    private long _shutdownAnnouncedAt; // the first GOAWAY (2^31-1) and its PING went out then

    /// <summary>Creates a session; call <see cref="Http2SessionCore{TStream}.Start"/> (or feed it the client preface) to queue our SETTINGS.</summary>
    public Http2Session(Http2Limits limits, IHttp2SessionHandler handler, ILogger? logger = null, TimeProvider? timeProvider = null)
        : base(limits, Http2Settings.ForServer(limits), Http2Settings.ClientDefaults(),
            closedStreamsCapacity: Math.Max(256, 2 * Math.Min(limits.MaxConcurrentStreams, 4096)), logger, timeProvider)
    {
        _handler = handler;
        long now = Time.GetTimestamp();
        _createdAt = now;
        _idleSince = now;
    }

    /// <summary>
    /// True while so much output is queued that Receive consumes nothing more; the driver writes the output out
    /// first (backpressure against clients that send but do not read).
    /// </summary>
    public override bool IsInputPaused => Output.Length >= Limits.MaxOutputBufferSize;

    /// <summary>A graceful shutdown has begun (<see cref="BeginGracefulShutdown"/>), whichever step it is at.</summary>
    public bool IsShuttingDown => _shutdownAnnouncedAt != 0 || GoAwaySent || IsClosed;

    /// <summary>
    /// The peer stopped reading: the driver closes the transport at once, without waiting for output that
    /// cannot be delivered. Implies <see cref="Http2SessionCore{TStream}.IsCompleted"/>.
    /// </summary>
    public bool RequiresAbort { get; private set; }

    /// <summary>The highest stream id the client has used.</summary>
    public int LastClientStreamId => LastPeerStreamId;

    /// <summary>The round-trip time measured by the last acknowledged <see cref="SendPing"/>, if any.</summary>
    public TimeSpan? LastPingRoundTrip { get; private set; }

    /// <summary>Response octets buffered for all streams, waiting for window (bounded by <see cref="Http2Limits.ConnectionResponseBufferSize"/>).</summary>
    public int BufferedResponseOctets => BufferedOctets;

    /// <summary>
    /// Starts a graceful shutdown (§6.8) in two steps, so requests already on the wire are not lost: first
    /// GOAWAY NO_ERROR with last stream id 2^31-1 and a PING; when the PING is acknowledged (every stream
    /// the client opened before it has arrived) or after <see cref="ShutdownPingTimeout"/>, the final GOAWAY
    /// with the last stream id we received. Started streams finish, newer ones are ignored, and the session
    /// completes when none remain.
    /// </summary>
    public void BeginGracefulShutdown()
    {
        AssertOwner();
        if (IsShuttingDown)
        {
            return;
        }

        Start();
        _shutdownAnnouncedAt = Math.Max(1, Time.GetTimestamp());
        SessionLog.GracefulShutdown(Logger, Streams.Count);
        FrameWriter.WriteGoAway(Output, Http2Constants.MaxStreamId, Http2ErrorCode.NoError, default);
        FrameWriter.WritePing(Output, ShutdownPingPayload, ack: false);
    }

    /// <summary>The second step of <see cref="BeginGracefulShutdown"/>: the GOAWAY that names the last stream we serve.</summary>
    private void SendFinalGoAway()
    {
        if (TrySendGoAway())
        {
            SessionLog.FinalGoAway(Logger, LastPeerStreamId, Streams.Count);
        }
    }

    /// <summary>
    /// Ends the connection now, e.g. when the shutdown timeout expired or on an internal failure: every stream
    /// still running gets RST_STREAM CANCEL (the application hears of it), then GOAWAY with
    /// <paramref name="errorCode"/>. The driver flushes what it can and closes.
    /// </summary>
    public void Abort(Http2ErrorCode errorCode, string reason)
    {
        AssertOwner();
        if (IsClosed)
        {
            return;
        }

        foreach (Http2ServerStream stream in SnapshotStreams())
        {
            FrameWriter.WriteRstStream(Output, stream.Id, Http2ErrorCode.Cancel);
            Apply(stream, StreamEvent.SendReset, Http2ErrorCode.Cancel);
        }

        ConnectionError(FrameError.Connection(errorCode, reason));
    }

    /// <summary>Sends a PING; its acknowledgement sets <see cref="LastPingRoundTrip"/>.</summary>
    public void SendPing()
    {
        AssertOwner();
        if (IsClosed)
        {
            return;
        }

        Start(); // §3.4: our SETTINGS go first, even when the client's preface has not arrived yet
        _pingSentAt = Time.GetTimestamp();
        _pingPayload = (ulong)_pingSentAt;
        FrameWriter.WritePing(Output, _pingPayload, ack: false);
    }

    /// <summary>The server connection preface: our SETTINGS (§3.4), timed until the client acknowledges them (§6.5.3).</summary>
    protected override void WritePreface()
    {
        Span<KeyValuePair<SettingsParameter, uint>> settings = stackalloc KeyValuePair<SettingsParameter, uint>[Http2Settings.MaxAdvertised];
        int count = LocalSettings.WriteServerAdvertisement(settings);
        FrameWriter.WriteSettings(Output, settings[..count]);
        _settingsSentAt = Time.GetTimestamp();
    }

    /// <summary>§5.1: a stream id the client has not opened yet (or an even one, which it never may).</summary>
    protected override bool IsIdle(int id) => id > LastPeerStreamId || (id & 1) == 0;

    protected override Http2ServerStream CreateStream(int id, InboundWindow inbound, OutboundWindow outbound) => new(id, inbound, outbound);

    protected override void OnPushPromise() =>
        ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "PUSH_PROMISE from a client (§8.4)"));

    /// <summary>Rapid-reset guard (CVE-2023-44487): resets by the client, and those it provokes, are rate-limited.</summary>
    protected override bool LimitsResets => true;

    protected override void OnPingAck(ulong opaqueData)
    {
        if (opaqueData == ShutdownPingPayload && _shutdownAnnouncedAt != 0)
        {
            SendFinalGoAway(); // every stream the client opened before our first GOAWAY has arrived
            return;
        }

        if (_pingSentAt != 0 && opaqueData == _pingPayload)
        {
            LastPingRoundTrip = Time.GetElapsedTime(_pingSentAt);
            _pingSentAt = 0;
        }
    }

    protected override void OnPeerGoAway(int lastStreamId, Http2ErrorCode errorCode, ReadOnlySpan<byte> debugData) =>
        _handler.OnGoAway(lastStreamId, errorCode);
}
