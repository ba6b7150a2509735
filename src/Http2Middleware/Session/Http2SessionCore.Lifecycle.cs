using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// How streams begin, change state and end: one transition function, one exit, and why each stream closed (§5.1).
internal abstract partial class Http2SessionCore<TStream>
{
    /// <summary>
    /// A stream object for the new stream <paramref name="id"/> (not yet in <see cref="Streams"/>): a closed one reused,
    /// with its two windows, when one is kept — no allocation per stream — or a new one; windows at their initial sizes.
    /// </summary>
    protected TStream RentStream(int id)
    {
        if (_spareStreams.TryPop(out TStream? spare))
        {
            spare.Reuse(id, Limits.InitialStreamWindowSize, PeerSettings.InitialWindowSize);
            return spare;
        }

        return CreateStream(
            id,
            new InboundWindow(Limits.InitialStreamWindowSize, Limits.InitialStreamWindowSize / 2),
            new OutboundWindow(PeerSettings.InitialWindowSize, _connectionOutbound));
    }

    /// <summary>
    /// Moves <paramref name="stream"/> along the §5.1 transition table. Reaching Closed, by whatever event,
    /// goes through <see cref="CloseStream"/>: the one place a stream ends.
    /// </summary>
    protected void Apply(TStream stream, StreamEvent @event, Http2ErrorCode errorCode = Http2ErrorCode.NoError, bool notify = true)
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
            CloseStream(stream, reason, errorCode, notify);
        }
    }

    /// <summary>
    /// Forgets a closed stream: records why it closed, gives the connection back the credit of received data
    /// nobody will consume, frees its send buffer, lets the role tell its application, and keeps the object for reuse.
    /// </summary>
    protected void CloseStream(TStream stream, StreamCloseReason reason, Http2ErrorCode errorCode, bool notify)
    {
        if (!Streams.Remove(stream.Id))
        {
            return;
        }

        stream.State = StreamState.Closed;
        _closedStreams.Record(stream.Id, reason);
        ReturnConnectionCredit(stream.Inbound.Discard());
        DropPending(stream);
        stream.EndQueued = false;
        stream.Trailers = null;
        if (stream.InSendQueue && !_producing)
        {
            stream.InSendQueue = false;
            _sendQueue.Remove(stream);
        }

        OnStreamClosed(stream, reason, errorCode, notify);

        Recycle(stream);
    }

    /// <summary>
    /// Keeps a finished stream object for the next stream (closed, or a queued request that never opened), unless the
    /// send loop still holds it (it drops it from the queue itself) or enough are kept.
    /// </summary>
    protected void Recycle(TStream stream)
    {
        if (!stream.InSendQueue && _spareStreams.Count < _maxSpareStreams)
        {
            _spareStreams.Push(stream);
        }
    }

    /// <summary>A stream error the peer caused (§5.4.2): RST_STREAM, counted against the reset rate.</summary>
    protected void StreamError(TStream stream, Http2ErrorCode errorCode, string reason)
    {
        if (!WithinRate(RateLimitedEvent.Reset))
        {
            return;
        }

        SessionLog.StreamError(Logger, stream.Id, errorCode, reason);
        FrameWriter.WriteRstStream(Output, stream.Id, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode);
    }

    /// <summary>A stream error on a stream that is not open (closed, or never opened): RST_STREAM only.</summary>
    protected void ResetUnopened(int id, Http2ErrorCode errorCode, string reason)
    {
        if (!WithinRate(RateLimitedEvent.Reset))
        {
            return;
        }

        SessionLog.StreamError(Logger, id, errorCode, reason);
        FrameWriter.WriteRstStream(Output, id, errorCode);
    }

    /// <summary>Gives back the credit of <paramref name="octets"/> the application consumed or that were discarded (§6.9).</summary>
    protected void ReturnConnectionCredit(int octets)
    {
        if (octets <= 0 || IsClosed)
        {
            return;
        }

        int increment = _connectionInbound.Release(octets, out _);
        if (increment > 0)
        {
            FrameWriter.WriteWindowUpdate(Output, 0, increment);
        }
    }

    /// <summary>Consumed data of <paramref name="stream"/>: credit to both windows, WINDOW_UPDATE batched.</summary>
    protected void ReleaseCredit(TStream stream, int octets)
    {
        int increment = stream.Inbound.Release(octets, out int released);
        ReturnConnectionCredit(released);

        // No point in more window for a stream the peer can no longer send on.
        if (increment > 0 && !IsClosed && StreamStateMachine.CanReceive(stream.State))
        {
            FrameWriter.WriteWindowUpdate(Output, stream.Id, increment);
        }
    }
}
