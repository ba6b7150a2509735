using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// How streams change state and end: one transition function, one exit, and why each stream closed (§5.1).
internal sealed partial class Http2Session
{
    /// <summary>
    /// Moves <paramref name="stream"/> along the §5.1 transition table. Reaching Closed, by whatever event,
    /// goes through <see cref="CloseStream"/>: the one place a stream ends.
    /// </summary>
    private void Apply(Http2Stream stream, StreamEvent @event, Http2ErrorCode errorCode = Http2ErrorCode.NoError, bool notifyApplication = true)
    {
        StreamState? next = StreamStateMachine.Transition(stream.State, @event);
        System.Diagnostics.Debug.Assert(next is not null, $"stream {stream.Id}: {@event} is not allowed in {stream.State}");
        stream.State = next ?? StreamState.Closed;
        if (stream.State == StreamState.Closed)
        {
            StreamCloseReason reason = @event switch
            {
                StreamEvent.SendReset => StreamCloseReason.ResetByUs,
                StreamEvent.ReceiveReset => StreamCloseReason.ResetByPeer,
                _ => StreamCloseReason.Ended,
            };
            CloseStream(stream, reason, errorCode, notifyApplication);
        }
    }

    /// <summary>
    /// Forgets a closed stream: records why it closed, gives the connection back the credit of request data
    /// nobody will consume, frees its response buffer, and tells the application if it ended abnormally.
    /// </summary>
    private void CloseStream(Http2Stream stream, StreamCloseReason reason, Http2ErrorCode errorCode, bool notifyApplication)
    {
        if (!_streams.Remove(stream.Id))
        {
            return;
        }

        _closedStreams.Record(stream.Id, reason);
        ReturnConnectionCredit(stream.Inbound.Discard());

        _bufferedResponse -= stream.PendingLength;
        stream.Pending?.Dispose();
        stream.Pending = null;
        stream.EndQueued = false;
        stream.Trailers = null;
        if (stream.InSendQueue && !_producing)
        {
            stream.InSendQueue = false;
            _sendQueue.Remove(stream);
        }

        if (notifyApplication && reason != StreamCloseReason.Ended)
        {
            _handler.OnStreamReset(stream.Id, errorCode);
        }

        // Kept for the next stream unless the send loop still holds it (it drops it from the queue itself).
        if (!stream.InSendQueue && _spareStreams.Count < MaxSpareStreams)
        {
            _spareStreams.Push(stream);
        }

        WakeBufferWaiters();
    }

    /// <summary>A stream error the client caused (§5.4.2): RST_STREAM, counted against the reset rate limit.</summary>
    private void StreamError(Http2Stream stream, Http2ErrorCode errorCode, string reason)
    {
        if (!CountReset())
        {
            return;
        }

        SessionLog.StreamError(_logger, stream.Id, errorCode, reason);
        FrameWriter.WriteRstStream(_output, stream.Id, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode);
    }

    /// <summary>A reset of our own choosing (timeouts, limits, §8.1 NO_ERROR): not counted against the client.</summary>
    private void ResetByUs(Http2Stream stream, Http2ErrorCode errorCode, string reason)
    {
        SessionLog.StreamError(_logger, stream.Id, errorCode, reason);
        FrameWriter.WriteRstStream(_output, stream.Id, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode);
    }

    /// <summary>A new stream refused or found malformed before the application saw it (§5.4.2, §8.1.1).</summary>
    private void RejectStream(int id, Http2ErrorCode errorCode, string reason, StreamCloseReason closeReason = StreamCloseReason.ResetByUs)
    {
        if (!CountReset())
        {
            return;
        }

        SessionLog.StreamError(_logger, id, errorCode, reason);
        FrameWriter.WriteRstStream(_output, id, errorCode);
        _closedStreams.Record(id, closeReason);
    }

    /// <summary>A stream error on a stream that is not open (closed, or never opened): RST_STREAM only.</summary>
    private void ResetUnopened(int id, Http2ErrorCode errorCode, string reason)
    {
        if (!CountReset())
        {
            return;
        }

        SessionLog.StreamError(_logger, id, errorCode, reason);
        FrameWriter.WriteRstStream(_output, id, errorCode);
    }

    /// <summary>
    /// Rapid-reset guard (CVE-2023-44487): resets by the client, and those it provokes, are limited per second
    /// (a token bucket: evenly paced resets below the rate never trip it). False after the connection error.
    /// </summary>
    private bool CountReset()
    {
        if (_resets.TryTake(_time.GetTimestamp(), _time))
        {
            return true;
        }

        ConnectionError(FrameError.Connection(Http2ErrorCode.EnhanceYourCalm, "too many streams reset or refused"));
        return false;
    }

    /// <summary>
    /// §8.1: once our response is complete, a request body nobody reads is reset with NO_ERROR — but only when the
    /// client has filled the stream's window with it, never merely because the response was fast.
    /// </summary>
    private void ResetIfBodyUnwanted(Http2Stream stream)
    {
        if (stream.State == StreamState.HalfClosedLocal && stream.BodyAbandoned && stream.Inbound.Available == 0)
        {
            ResetByUs(stream, Http2ErrorCode.NoError, "response complete; request body not read (§8.1)");
        }
    }

    /// <summary>Gives back the credit of <paramref name="octets"/> the application consumed or that were discarded (§6.9).</summary>
    private void ReturnConnectionCredit(int octets)
    {
        if (octets <= 0 || _closed)
        {
            return;
        }

        int increment = _connectionInbound.Release(octets, out _);
        if (increment > 0)
        {
            FrameWriter.WriteWindowUpdate(_output, 0, increment);
        }
    }

    /// <summary>Consumed request data of <paramref name="stream"/>: credit to both windows, WINDOW_UPDATE batched.</summary>
    private void ReleaseCredit(Http2Stream stream, int octets)
    {
        int increment = stream.Inbound.Release(octets, out int released);
        ReturnConnectionCredit(released);

        // No point in more window for a stream the client can no longer send on.
        if (increment > 0 && !_closed && StreamStateMachine.CanReceive(stream.State))
        {
            FrameWriter.WriteWindowUpdate(_output, stream.Id, increment);
        }
    }
}
