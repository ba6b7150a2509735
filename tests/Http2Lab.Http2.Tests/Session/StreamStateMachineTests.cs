using Http2Lab.Http2.Session;
using S = Http2Lab.Http2.Session.StreamState;
using E = Http2Lab.Http2.Session.StreamEvent;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>The full transition table of the RFC 9113 §5.1 diagram.</summary>
public class StreamStateMachineTests
{
    // Every (state, event) pair; null where the RFC allows no such transition.
    private static readonly Dictionary<(S, E), S?> Table = new()
    {
        [(S.Idle, E.SendHeaders)] = S.Open,
        [(S.Idle, E.ReceiveHeaders)] = S.Open,
        [(S.Idle, E.SendPushPromise)] = S.ReservedLocal,
        [(S.Idle, E.ReceivePushPromise)] = S.ReservedRemote,
        [(S.Idle, E.SendEndStream)] = null,
        [(S.Idle, E.ReceiveEndStream)] = null,
        [(S.Idle, E.SendReset)] = null, // §6.4: RST_STREAM MUST NOT be sent for an idle stream
        [(S.Idle, E.ReceiveReset)] = null, // §6.4: connection error

        [(S.ReservedLocal, E.SendHeaders)] = S.HalfClosedRemote,
        [(S.ReservedLocal, E.ReceiveHeaders)] = null,
        [(S.ReservedLocal, E.SendPushPromise)] = null,
        [(S.ReservedLocal, E.ReceivePushPromise)] = null,
        [(S.ReservedLocal, E.SendEndStream)] = null,
        [(S.ReservedLocal, E.ReceiveEndStream)] = null,
        [(S.ReservedLocal, E.SendReset)] = S.Closed,
        [(S.ReservedLocal, E.ReceiveReset)] = S.Closed,

        [(S.ReservedRemote, E.SendHeaders)] = null,
        [(S.ReservedRemote, E.ReceiveHeaders)] = S.HalfClosedLocal,
        [(S.ReservedRemote, E.SendPushPromise)] = null,
        [(S.ReservedRemote, E.ReceivePushPromise)] = null,
        [(S.ReservedRemote, E.SendEndStream)] = null,
        [(S.ReservedRemote, E.ReceiveEndStream)] = null,
        [(S.ReservedRemote, E.SendReset)] = S.Closed,
        [(S.ReservedRemote, E.ReceiveReset)] = S.Closed,

        [(S.Open, E.SendHeaders)] = S.Open,
        [(S.Open, E.ReceiveHeaders)] = S.Open,
        [(S.Open, E.SendPushPromise)] = null,
        [(S.Open, E.ReceivePushPromise)] = null,
        [(S.Open, E.SendEndStream)] = S.HalfClosedLocal,
        [(S.Open, E.ReceiveEndStream)] = S.HalfClosedRemote,
        [(S.Open, E.SendReset)] = S.Closed,
        [(S.Open, E.ReceiveReset)] = S.Closed,

        [(S.HalfClosedLocal, E.SendHeaders)] = null,
        [(S.HalfClosedLocal, E.ReceiveHeaders)] = S.HalfClosedLocal,
        [(S.HalfClosedLocal, E.SendPushPromise)] = null,
        [(S.HalfClosedLocal, E.ReceivePushPromise)] = null,
        [(S.HalfClosedLocal, E.SendEndStream)] = null,
        [(S.HalfClosedLocal, E.ReceiveEndStream)] = S.Closed,
        [(S.HalfClosedLocal, E.SendReset)] = S.Closed,
        [(S.HalfClosedLocal, E.ReceiveReset)] = S.Closed,

        [(S.HalfClosedRemote, E.SendHeaders)] = S.HalfClosedRemote,
        [(S.HalfClosedRemote, E.ReceiveHeaders)] = null,
        [(S.HalfClosedRemote, E.SendPushPromise)] = null,
        [(S.HalfClosedRemote, E.ReceivePushPromise)] = null,
        [(S.HalfClosedRemote, E.SendEndStream)] = S.Closed,
        [(S.HalfClosedRemote, E.ReceiveEndStream)] = null,
        [(S.HalfClosedRemote, E.SendReset)] = S.Closed,
        [(S.HalfClosedRemote, E.ReceiveReset)] = S.Closed,

        [(S.Closed, E.SendHeaders)] = null,
        [(S.Closed, E.ReceiveHeaders)] = null,
        [(S.Closed, E.SendPushPromise)] = null,
        [(S.Closed, E.ReceivePushPromise)] = null,
        [(S.Closed, E.SendEndStream)] = null,
        [(S.Closed, E.ReceiveEndStream)] = null,
        [(S.Closed, E.SendReset)] = S.Closed, // resetting a closed stream is harmless
        [(S.Closed, E.ReceiveReset)] = S.Closed,
    };

    // By name: the enums are internal, and test methods and their data are public.
    public static TheoryData<string, string> AllPairs
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (S state in Enum.GetValues<S>())
            {
                foreach (E e in Enum.GetValues<E>())
                {
                    data.Add(state.ToString(), e.ToString());
                }
            }

            return data;
        }
    }

    [Fact]
    public void Table_covers_every_state_and_event()
    {
        Assert.Equal(Enum.GetValues<S>().Length * Enum.GetValues<E>().Length, Table.Count);
        Assert.Equal(7, Enum.GetValues<S>().Length);
        Assert.Equal(8, Enum.GetValues<E>().Length);
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Transition_follows_the_rfc_diagram(string stateName, string eventName)
    {
        S state = Enum.Parse<S>(stateName);
        E @event = Enum.Parse<E>(eventName);
        Assert.Equal(Table[(state, @event)], StreamStateMachine.Transition(state, @event));
    }

    [Theory]
    [InlineData(nameof(S.Idle), false, false)]
    [InlineData(nameof(S.ReservedLocal), false, false)]
    [InlineData(nameof(S.ReservedRemote), false, false)]
    [InlineData(nameof(S.Open), true, true)]
    [InlineData(nameof(S.HalfClosedLocal), true, false)]
    [InlineData(nameof(S.HalfClosedRemote), false, true)]
    [InlineData(nameof(S.Closed), false, false)]
    public void Can_receive_and_can_send_match_the_states(string stateName, bool canReceive, bool canSend)
    {
        S state = Enum.Parse<S>(stateName);
        Assert.Equal(canReceive, StreamStateMachine.CanReceive(state));
        Assert.Equal(canSend, StreamStateMachine.CanSend(state));
    }

    [Fact]
    public void Headers_with_end_stream_is_two_events()
    {
        S open = StreamStateMachine.Transition(S.Idle, E.ReceiveHeaders)!.Value;
        Assert.Equal(S.HalfClosedRemote, StreamStateMachine.Transition(open, E.ReceiveEndStream));
        S reserved = StreamStateMachine.Transition(S.ReservedLocal, E.SendHeaders)!.Value;
        Assert.Equal(S.Closed, StreamStateMachine.Transition(reserved, E.SendEndStream));
    }
}
