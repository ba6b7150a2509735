namespace Http2Lab.Http2.Session;

/// <summary>The transition function of RFC 9113 §5.1.</summary>
internal static class StreamStateMachine
{
    /// <summary>
    /// The state after <paramref name="event"/> in <paramref name="state"/>, or <c>null</c> when the
    /// event is not allowed there. A HEADERS frame carrying END_STREAM is two events: headers, then end.
    /// </summary>
    public static StreamState? Transition(StreamState state, StreamEvent @event) => (state, @event) switch
    {
        (_, StreamEvent.SendReset or StreamEvent.ReceiveReset) when state != StreamState.Idle => StreamState.Closed,

        (StreamState.Idle, StreamEvent.SendHeaders or StreamEvent.ReceiveHeaders) => StreamState.Open,
        (StreamState.Idle, StreamEvent.SendPushPromise) => StreamState.ReservedLocal,
        (StreamState.Idle, StreamEvent.ReceivePushPromise) => StreamState.ReservedRemote,

        (StreamState.ReservedLocal, StreamEvent.SendHeaders) => StreamState.HalfClosedRemote,
        (StreamState.ReservedRemote, StreamEvent.ReceiveHeaders) => StreamState.HalfClosedLocal,

        // Trailers: further HEADERS on an open stream do not change its state.
        (StreamState.Open or StreamState.HalfClosedRemote, StreamEvent.SendHeaders) => state,
        (StreamState.Open or StreamState.HalfClosedLocal, StreamEvent.ReceiveHeaders) => state,

        (StreamState.Open, StreamEvent.SendEndStream) => StreamState.HalfClosedLocal,
        (StreamState.Open, StreamEvent.ReceiveEndStream) => StreamState.HalfClosedRemote,
        (StreamState.HalfClosedRemote, StreamEvent.SendEndStream) => StreamState.Closed,
        (StreamState.HalfClosedLocal, StreamEvent.ReceiveEndStream) => StreamState.Closed,

        _ => null,
    };

    /// <summary>Whether the peer may send DATA or HEADERS in <paramref name="state"/>.</summary>
    public static bool CanReceive(StreamState state) => state is StreamState.Open or StreamState.HalfClosedLocal;

    /// <summary>Whether we may send DATA or HEADERS in <paramref name="state"/>.</summary>
    public static bool CanSend(StreamState state) => state is StreamState.Open or StreamState.HalfClosedRemote;
}
