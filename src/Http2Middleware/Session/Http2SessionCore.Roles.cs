using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// The role hooks: everything the core asks of a server or a client, in one place. Each is called at most once per
// frame (most far less often), so a virtual call is all they cost on the hot path; the roles are sealed classes.
internal abstract partial class Http2SessionCore<TStream>
{
    /// <summary>Writes what this endpoint sends first (§3.4): a client's preface octets, then either role's SETTINGS.</summary>
    protected abstract void WritePreface();

    /// <summary>
    /// At the start of every <see cref="Receive"/>: consumes what precedes the frames (a server reads the client's
    /// preface octets, §3.4) and returns how many octets that was, or -1 to consume nothing more now (incomplete, or the
    /// connection was refused).
    /// </summary>
    protected abstract int ReadPreface(in System.Buffers.ReadOnlySequence<byte> input);

    /// <summary>
    /// True while so much output is queued that <see cref="Receive"/> consumes nothing more; the driver writes the
    /// output first (backpressure against peers that send but do not read). False unless the role pauses.
    /// </summary>
    public virtual bool IsInputPaused => false;

    /// <summary>§5.1: <paramref name="id"/> names a stream nobody has opened yet — the peer's above the last it opened, or ours.</summary>
    protected abstract bool IsIdle(int id);

    /// <summary>A new stream object for <see cref="RentStream"/> when no closed one is kept.</summary>
    protected abstract TStream CreateStream(int id, InboundWindow inbound, OutboundWindow outbound);

    /// <summary>
    /// A complete field block (HEADERS + CONTINUATION): a new stream's header section, an interim or final response,
    /// trailers, or a block for a stream that is gone. The role decodes it (<see cref="DecodeFieldBlock"/>, always, §4.3)
    /// and applies its rules (§8.1, §8.3).
    /// </summary>
    protected abstract void OnFieldBlock(int id, ReadOnlySpan<byte> block, bool endStream, bool selfDependent);

    /// <summary>
    /// DATA on a stream that may receive it, within both windows and its content-length; <paramref name="data"/> has
    /// no padding, <paramref name="paddingLength"/> octets of credit are the role's to give back. The role applies
    /// END_STREAM and hands the data to its application.
    /// </summary>
    protected abstract void OnStreamData(TStream stream, ReadOnlySpan<byte> data, int paddingLength, bool endStream);

    /// <summary>PUSH_PROMISE arrived (§6.6); neither role here accepts push.</summary>
    protected abstract void OnPushPromise();

    /// <summary>The peer's SETTINGS were applied and acknowledged (§6.5.3).</summary>
    protected virtual void OnPeerSettings()
    {
    }

    /// <summary>The ACK of a PING of ours arrived (§6.7).</summary>
    protected virtual void OnPingAck(ulong opaqueData)
    {
    }

    /// <summary>The peer sent GOAWAY (§6.8); <see cref="CloseReason"/> and the received flag are set already.</summary>
    protected abstract void OnPeerGoAway(int lastStreamId, Http2ErrorCode errorCode, ReadOnlySpan<byte> debugData);

    /// <summary>
    /// Whether resets count against <see cref="Http2Limits.MaxResetStreamsPerSecond"/>: the server's rapid-reset guard.
    /// A client's streams are its own requests; a server that resets them is answered by sending fewer.
    /// </summary>
    protected virtual bool LimitsResets => false;

    /// <summary>
    /// A stream ended (<see cref="CloseStream"/>, already out of the maps): the role tells its application when it ended
    /// abnormally and <paramref name="notify"/> is set, and may use the room it freed.
    /// </summary>
    protected abstract void OnStreamClosed(TStream stream, StreamCloseReason reason, Http2ErrorCode errorCode, bool notify);

    /// <summary>Data that waited for window went out on a stream that has more to send: its writer may write again.</summary>
    protected abstract void OnStreamWritable(TStream stream);

    /// <summary>We sent END_STREAM on <paramref name="stream"/> (it may have closed with it).</summary>
    protected virtual void OnLocalEnd(TStream stream)
    {
    }

    /// <summary>The scheduler moved what it could into the output (buffered data may have gone out).</summary>
    protected virtual void OnDataProduced()
    {
    }

    /// <summary>The connection ends: streams the role started but never put on the wire are refused (§8.7).</summary>
    protected virtual void RefuseQueuedStreams(Http2ErrorCode errorCode)
    {
    }
}
