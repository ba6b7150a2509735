using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session.Client;

// How client streams change state and end: the shared §5.1 transition function, one exit (CloseStream).
internal sealed partial class Http2ClientSession
{
    private void Apply(Http2ClientStream stream, StreamEvent @event, Http2ErrorCode errorCode = Http2ErrorCode.NoError, bool notify = true)
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

            // §8.7: REFUSED_STREAM means the server did not process the request: safe to retry.
            bool refused = @event == StreamEvent.ReceiveReset && errorCode == Http2ErrorCode.RefusedStream;
            CloseStream(stream, reason, errorCode, notify, refused);
        }
    }

    /// <summary>The one place a client stream ends: records why, returns unconsumed credit, lets a waiting request open.</summary>
    private void CloseStream(Http2ClientStream stream, StreamCloseReason reason, Http2ErrorCode errorCode, bool notify, bool refused)
    {
        if (!_streams.Remove(stream.Id))
        {
            return;
        }

        stream.State = StreamState.Closed;
        _closedStreams.Record(stream.Id, reason);
        ReturnConnectionCredit(stream.Inbound.Discard());
        stream.Pending?.Dispose();
        stream.Pending = null;
        stream.EndQueued = false;
        stream.Trailers = null;
        if (stream.InSendQueue && !_producing)
        {
            stream.InSendQueue = false;
            _sendQueue.Remove(stream);
        }

        if (notify && reason != StreamCloseReason.Ended)
        {
            _handler.OnStreamReset(stream.Id, errorCode, refused);
        }

        if (!_closed && _waiting.Count > 0)
        {
            OpenWaitingStreams();
        }
    }

    /// <summary>A stream error the server caused (§5.4.2): RST_STREAM, and the application hears of it.</summary>
    private void StreamError(Http2ClientStream stream, Http2ErrorCode errorCode, string reason)
    {
        SessionLog.StreamError(_logger, stream.Id, errorCode, reason);
        FrameWriter.WriteRstStream(_output, stream.Id, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode);
    }

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

    private void ReleaseCredit(Http2ClientStream stream, int octets)
    {
        int increment = stream.Inbound.Release(octets, out int released);
        ReturnConnectionCredit(released);
        if (increment > 0 && !_closed && StreamStateMachine.CanReceive(stream.State))
        {
            FrameWriter.WriteWindowUpdate(_output, stream.Id, increment);
        }
    }
}
