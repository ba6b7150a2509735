namespace Http2Lab.Http2.Session;

/// <summary>Why a stream closed — what decides how frames that still arrive on it are answered (RFC 9113 §5.1).</summary>
internal enum StreamCloseReason : byte
{
    /// <summary>Both sides sent END_STREAM.</summary>
    Ended,
    /// <summary>We sent RST_STREAM: frames already in flight are ignored (§5.4.2).</summary>
    ResetByUs,
    /// <summary>The peer sent RST_STREAM: anything more is STREAM_CLOSED (§5.1).</summary>
    ResetByPeer,
    /// <summary>We refused it (REFUSED_STREAM, or above our GOAWAY's last stream id) before it did anything.</summary>
    Refused,
}
