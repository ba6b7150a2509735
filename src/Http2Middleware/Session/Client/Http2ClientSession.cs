using Http2Lab.Http2.Frames;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Session.Client;

/// <summary>
/// The client side of one HTTP/2 connection (RFC 9113) on the shared sans-IO core
/// (<see cref="Http2SessionCore{TStream}"/>), the counterpart of <see cref="Http2Session"/>, with the client's rules:
/// we send the preface and SETTINGS with ENABLE_PUSH 0 (§3.4, §6.5.2), we open the odd stream ids (§5.1.1), an
/// incoming HEADERS is a response, 1xx or trailers (§8.1), PUSH_PROMISE is a connection error (§6.6), the server's
/// GOAWAY refuses the streams above its last id (§6.8), and its SETTINGS_MAX_CONCURRENT_STREAMS queues requests
/// (§5.1.2). A driver feeds it octets (<see cref="Http2SessionCore{TStream}.Receive"/>) and writes out what it
/// queued; not thread-safe.
/// </summary>
internal sealed partial class Http2ClientSession : Http2SessionCore<Http2ClientStream>
{
    private readonly IHttp2ClientSessionHandler _handler;
    private int? _peerGoAwayLastStreamId;

    /// <summary>
    /// Creates a session. Of <paramref name="limits"/> it uses what describes our receiving side (windows,
    /// header list and table sizes, CONTINUATION count) and the output buffer sizes.
    /// </summary>
    public Http2ClientSession(Http2Limits limits, IHttp2ClientSessionHandler handler, ILogger? logger = null, TimeProvider? timeProvider = null)
        : base(limits, Http2Settings.ForClient(limits), Http2Settings.ServerDefaults(), closedStreamsCapacity: 1024, logger, timeProvider)
    {
        _handler = handler;
    }

    /// <summary>Requests waiting for the server's SETTINGS_MAX_CONCURRENT_STREAMS to let them open.</summary>
    public int QueuedStreamCount => _waiting.Count;

    /// <summary>No new request can start here: GOAWAY either way, a connection error, or stream ids used up.</summary>
    public bool IsDraining => IsClosed || PeerGoAwayReceived || GoAwaySent || _nextStreamId > Http2Constants.MaxStreamId;

    /// <summary>The connection is finished: closed, or draining with no stream left, queued ones included.</summary>
    public override bool IsCompleted => IsClosed || (base.IsCompleted && _waiting.Count == 0);

    /// <summary>The last stream id of the server's GOAWAY, if one arrived (the lowest, if several did).</summary>
    public int? GoAwayLastStreamId => _peerGoAwayLastStreamId;

    /// <summary>
    /// Graceful close (§6.8): GOAWAY NO_ERROR naming stream 0 (the server opened none); streams in flight finish,
    /// queued requests are refused, and the session completes when none remain.
    /// </summary>
    public void SendGoAway()
    {
        AssertOwner();
        if (TrySendGoAway())
        {
            RefuseWaiting(Http2ErrorCode.RefusedStream);
        }
    }

    /// <summary>Sends a PING (§6.7); the server's ACK reaches <see cref="IHttp2ClientSessionHandler.OnPingAck"/>.</summary>
    /// <returns>False when the session is closed and nothing was sent.</returns>
    public bool SendPing(ulong opaqueData)
    {
        AssertOwner();
        if (IsClosed)
        {
            return false;
        }

        Start();
        FrameWriter.WritePing(Output, opaqueData, ack: false);
        return true;
    }

    /// <inheritdoc/>
    protected override void OnPingAck(ulong opaqueData) => _handler.OnPingAck(opaqueData);

    /// <summary>The client connection preface (§3.4): the preface octets, then our SETTINGS with ENABLE_PUSH 0.</summary>
    protected override void WritePreface()
    {
        Output.Write(Http2Constants.ClientPreface);
        Span<KeyValuePair<SettingsParameter, uint>> settings = stackalloc KeyValuePair<SettingsParameter, uint>[Http2Settings.MaxAdvertised];
        int count = LocalSettings.WriteClientAdvertisement(settings);
        FrameWriter.WriteSettings(Output, settings[..count]);
    }

    /// <summary>The server's preface is its SETTINGS frame, read as any frame; ours goes out first, before anything is read.</summary>
    protected override int ReadPreface(in System.Buffers.ReadOnlySequence<byte> input)
    {
        Start();
        return 0;
    }

    /// <summary>§5.1: a stream we have not opened yet — or an even one, which only a promise could open, and we allow none.</summary>
    protected override bool IsIdle(int id) => (id & 1) == 0 || id > _lastSentStreamId;

    protected override Http2ClientStream CreateStream(int id, InboundWindow inbound, OutboundWindow outbound) => new(id, inbound, outbound);

    /// <summary>§6.6, §8.4: we sent SETTINGS_ENABLE_PUSH 0, so a promise is a connection error PROTOCOL_ERROR.</summary>
    protected override void OnPushPromise() =>
        ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0 (§6.6)"));

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS may have grown (§5.1.2): waiting requests may open.</summary>
    protected override void OnPeerSettings() => OpenWaitingStreams();

    protected override void OnPeerGoAway(int lastStreamId, Http2ErrorCode errorCode, ReadOnlySpan<byte> debugData)
    {
        // §6.8: the last stream id may only shrink across GOAWAYs.
        int last = _peerGoAwayLastStreamId is int previous ? Math.Min(previous, lastStreamId) : lastStreamId;
        _peerGoAwayLastStreamId = last;

        // Streams above the last id were not processed and will not be: they may be retried elsewhere.
        RefuseWaiting(Http2ErrorCode.RefusedStream);
        foreach (Http2ClientStream stream in SnapshotStreams())
        {
            if (stream.Id > last)
            {
                CloseStream(stream, StreamCloseReason.Refused, Http2ErrorCode.RefusedStream, notify: true);
            }
        }

        _handler.OnGoAway(lastStreamId, errorCode, DebugText(debugData));
    }

    protected override void RefuseQueuedStreams(Http2ErrorCode errorCode) => RefuseWaiting(errorCode);

    /// <summary>Requests that never went out are refused: the server never saw them, so they may be retried (§8.7).</summary>
    private void RefuseWaiting(Http2ErrorCode errorCode)
    {
        if (_waiting.Count == 0)
        {
            return;
        }

        Http2ClientStream[] waiting = [.. _waiting];
        _waiting.Clear();
        foreach (Http2ClientStream stream in waiting)
        {
            int id = stream.Id;
            DropPending(stream);
            Recycle(stream); // before the call: a retry from inside it may take it
            _handler.OnStreamReset(id, errorCode, refused: true);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (Http2ClientStream stream in _waiting)
            {
                stream.Pending?.Dispose();
            }

            _waiting.Clear();
        }

        base.Dispose(disposing);
    }
}
