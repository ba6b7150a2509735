namespace Http2Lab.Http2.Frames;

/// <summary>
/// A frame that breaks a rule of RFC 9113: the error code the RFC prescribes, the stream it is a stream
/// error on (0 for a connection error, answered with GOAWAY), and the rule, for GOAWAY debug data and logs.
/// </summary>
/// <param name="Code">The RFC's error code.</param>
/// <param name="StreamId">The stream to reset, or 0 for a connection error.</param>
/// <param name="Reason">The rule that was broken, in a few words.</param>
internal readonly record struct FrameError(Http2ErrorCode Code, int StreamId, string Reason)
{
    /// <summary>Whether the whole connection must end (§5.4.1) rather than one stream (§5.4.2).</summary>
    public bool IsConnectionError => StreamId == 0;

    /// <summary>A connection error (§5.4.1).</summary>
    public static FrameError Connection(Http2ErrorCode code, string reason) => new(code, 0, reason);

    /// <summary>A stream error (§5.4.2).</summary>
    public static FrameError Stream(int streamId, Http2ErrorCode code, string reason) => new(code, streamId, reason);
}
