using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// How the server ends streams of its own accord, and what a stream's end means to it (§5.4.2, §8.1).
internal sealed partial class Http2Session
{
    /// <summary>The application hears of a stream that ended abnormally; writers waiting for buffer room may use what it freed.</summary>
    protected override void OnStreamClosed(Http2ServerStream stream, StreamCloseReason reason, Http2ErrorCode errorCode, bool notify)
    {
        if (notify && reason != StreamCloseReason.Ended)
        {
            _handler.OnStreamReset(stream.Id, errorCode);
        }

        WakeBufferWaiters();
    }

    /// <summary>A reset of our own choosing (timeouts, limits, §8.1 NO_ERROR): not counted against the client.</summary>
    private void ResetByUs(Http2ServerStream stream, Http2ErrorCode errorCode, string reason)
    {
        SessionLog.StreamError(Logger, stream.Id, errorCode, reason);
        FrameWriter.WriteRstStream(Output, stream.Id, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode);
    }

    /// <summary>A new stream refused or found malformed before the application saw it (§5.4.2, §8.1.1).</summary>
    private void RejectStream(int id, Http2ErrorCode errorCode, string reason, StreamCloseReason closeReason = StreamCloseReason.ResetByUs)
    {
        ResetUnopened(id, errorCode, reason);
        RecentlyClosed.Record(id, closeReason);
    }

    /// <summary>
    /// §8.1: once our response is complete, a request body nobody reads is reset with NO_ERROR — but only when the
    /// client has filled the stream's window with it, never merely because the response was fast.
    /// </summary>
    private void ResetIfBodyUnwanted(Http2ServerStream stream)
    {
        if (stream.State == StreamState.HalfClosedLocal && stream.BodyAbandoned && stream.Inbound.Available == 0)
        {
            ResetByUs(stream, Http2ErrorCode.NoError, "response complete; request body not read (§8.1)");
        }
    }
}
