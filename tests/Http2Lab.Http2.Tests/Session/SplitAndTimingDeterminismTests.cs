using System.Globalization;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// The answer to a broken rule must not depend on how the transport split the client's octets into reads, nor on when
/// the application answered relative to those reads (h2spec gave 144–146 of 146 from run to run while it did). For each
/// rule the octets after the handshake — a request without END_STREAM, then the offending frames — are fed in two reads
/// split at every octet, and the application answers as the real bridge does when a handler finishes
/// (<see cref="Http2Session.SendHeaders"/> with END_STREAM, then <see cref="Http2Session.AbandonRequestBody"/>) inside the
/// request's delivery, between the reads, after them, or never. The client must see the same RST_STREAM or GOAWAY
/// with the same code every time.
/// </summary>
public class SplitAndTimingDeterminismTests
{
    private enum AnswerTime
    {
        Never,
        InsideTheRequest,
        BetweenTheReads,
        AfterBothReads,
    }

    private const int Id = 1;

    public static TheoryData<string> Rules => new()
    {
        "window update of 0 on the stream",
        "data beyond content-length",
        "trailers with a pseudo-header",
        "second headers without end_stream",
        "window update past 2^31-1 on the stream",
        "data after end_stream",
        "headers after end_stream",
    };

    /// <summary>The client's octets after the handshake for <paramref name="rule"/>, and what the client must see.</summary>
    private static (byte[] Octets, (FrameType Type, int StreamId, Http2ErrorCode Code) Expected) Build(string rule)
    {
        var client = new FrameBuilder();
        byte[] Post(params (string, string)[] extra) => client.Post(Id, extra);
        byte[] Trailers(bool endStream, params (string, string)[] fields) => FrameBuilder.Headers(Id, client.HeaderBlock(fields), endStream);
        (FrameType, int, Http2ErrorCode) Rst(Http2ErrorCode code) => (FrameType.RstStream, Id, code);
        (FrameType, int, Http2ErrorCode) GoAway(Http2ErrorCode code) => (FrameType.GoAway, 0, code);

        return rule switch
        {
            // §6.9: a stream error, in every state where the stream is still known.
            "window update of 0 on the stream" => (
                FrameBuilder.Concat(Post(), FrameBuilder.Data(Id, 10), FrameBuilder.WindowUpdate(Id, 0)),
                Rst(Http2ErrorCode.ProtocolError)),

            // §8.1.1: malformed, a stream error PROTOCOL_ERROR.
            "data beyond content-length" => (
                FrameBuilder.Concat(Post(("content-length", "10")), FrameBuilder.Data(Id, 6), FrameBuilder.Data(Id, 5)),
                Rst(Http2ErrorCode.ProtocolError)),

            // §8.1: trailers must not contain pseudo-header fields.
            "trailers with a pseudo-header" => (
                FrameBuilder.Concat(Post(), FrameBuilder.Data(Id, 5), Trailers(true, (":path", "/x"), ("x-t", "1"))),
                Rst(Http2ErrorCode.ProtocolError)),

            // §8.1: a second HEADERS must carry END_STREAM.
            "second headers without end_stream" => (
                FrameBuilder.Concat(Post(), FrameBuilder.Data(Id, 5), Trailers(false, ("x-t", "1"))),
                Rst(Http2ErrorCode.ProtocolError)),

            // §6.9.1: 65535 + (2^31-1 - 65535) is the largest window; one more octet overflows it.
            "window update past 2^31-1 on the stream" => (
                FrameBuilder.Concat(Post(), FrameBuilder.WindowUpdate(Id, int.MaxValue - 65535), FrameBuilder.WindowUpdate(Id, 1)),
                Rst(Http2ErrorCode.FlowControlError)),

            // §5.1: after the client's END_STREAM, whether or not our response finished meanwhile.
            "data after end_stream" => (
                FrameBuilder.Concat(Post(), FrameBuilder.Data(Id, 5, endStream: true), FrameBuilder.Data(Id, 5)),
                GoAway(Http2ErrorCode.StreamClosed)),

            "headers after end_stream" => (
                FrameBuilder.Concat(Post(), FrameBuilder.Data(Id, 5, endStream: true), Trailers(true, ("x-t", "1"))),
                GoAway(Http2ErrorCode.StreamClosed)),

            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };
    }

    /// <summary>What a handler that finishes does: a complete response, and the rest of the body is not wanted.</summary>
    private static void Answer(Http2Session session, int streamId)
    {
        session.SendHeaders(streamId, 200, [], endStream: true); // false once the stream is gone: a normal race
        session.AbandonRequestBody(streamId);
    }

    /// <summary>Feeds <paramref name="octets"/> in two reads split at <paramref name="split"/>; returns the RST_STREAM and GOAWAY frames.</summary>
    private static List<(FrameType, int, Http2ErrorCode)> Run(byte[] octets, int split, AnswerTime answer)
    {
        using var h = new SessionHarness();
        h.Handshake();
        if (answer == AnswerTime.InsideTheRequest)
        {
            h.Handler.OnRequestHook = r => Answer(h.Session, r.StreamId);
        }

        h.Send(octets[..split]);
        if (answer == AnswerTime.BetweenTheReads)
        {
            if (h.Handler.Requests.Any())
            {
                Answer(h.Session, Id);
                h.Drain();
            }
            else
            {
                h.Handler.OnRequestHook = r => Answer(h.Session, r.StreamId); // the request arrives with the second read
            }
        }

        h.Send(octets[split..]);
        if (answer == AnswerTime.AfterBothReads)
        {
            Answer(h.Session, Id);
            h.Drain();
        }

        Assert.Equal(0, h.UnconsumedLength);
        Assert.Single(h.Handler.Requests);
        return [.. h.Frames.Where(f => f.Type is FrameType.RstStream or FrameType.GoAway).Select(f => (f.Type, f.StreamId, f.ErrorCode))];
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Every_split_and_every_answer_time_gives_the_same_error(string rule)
    {
        (byte[] octets, (FrameType, int, Http2ErrorCode) expected) = Build(rule);
        var failures = new List<string>();
        for (int split = 0; split <= octets.Length; split++)
        {
            foreach (AnswerTime answer in Enum.GetValues<AnswerTime>())
            {
                List<(FrameType, int, Http2ErrorCode)> seen = Run(octets, split, answer);
                if (seen.Count != 1 || seen[0] != expected)
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"split {split}, answer {answer}: [{string.Join(", ", seen)}]"));
                }
            }
        }

        Assert.True(failures.Count == 0, $"{rule}: expected only {expected}, but\n{string.Join("\n", failures)}");
    }
}
