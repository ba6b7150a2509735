using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// What must hold of a session whatever its input: after every call (<see cref="CheckAfter"/>), after every read, and
/// once the input is over. The output's own rules are <see cref="ServerOutputChecker"/>'s.
/// </summary>
internal sealed class SessionInvariants(Http2Session session, Http2Limits limits, ConsumedInput input, ServerOutputChecker output, FuzzApplication app)
{
    /// <summary>Room for one response header block of the fake application with its CONTINUATIONs (below 25 KiB).</summary>
    public const int HeaderBlockSlack = 25 * 1024;

    /// <summary>Room for the control frames one step may queue: RST_STREAM for every stream, GOAWAY, ACKs, WINDOW_UPDATEs.</summary>
    public const int ControlFrameSlack = 4 * 1024;

    /// <summary>The largest amount by which pending output exceeded MaxOutputBufferSize.</summary>
    public int MaxOutputOvershoot { get; private set; }

    /// <summary>
    /// How far <see cref="Http2Session.PendingOutput"/> may exceed <see cref="Http2Limits.MaxOutputBufferSize"/>. The session
    /// stops reading input at that size and queues DATA only below half of it, one frame at a time; the fake application
    /// sends nothing more between reads once it is reached, only from inside the callbacks of the frame being processed.
    /// So the output passes the limit by at most what crosses it: one DATA frame — as large as the client's
    /// SETTINGS_MAX_FRAME_SIZE allows, of at most a stream's buffered response (StreamOutputBufferSize) or one write
    /// (<see cref="FuzzApplication.MaxWrite"/>) — one header block, and control frames.
    /// </summary>
    public int OutputSlack =>
        Http2Constants.FrameHeaderLength + Math.Min(input.LargestMaxFrameSize, Math.Max(limits.StreamOutputBufferSize, FuzzApplication.MaxWrite))
        + HeaderBlockSlack + ControlFrameSlack;

    /// <summary>The invariants that hold after every call into the session.</summary>
    public void CheckAfter(string step)
    {
        int pending = session.PendingOutput.Length;
        MaxOutputOvershoot = Math.Max(MaxOutputOvershoot, pending - limits.MaxOutputBufferSize);
        InvariantViolation.Check(pending <= limits.MaxOutputBufferSize + OutputSlack,
            $"after {step}: {pending} octets of output pending, more than MaxOutputBufferSize {limits.MaxOutputBufferSize} + {OutputSlack}");
        InvariantViolation.Check(session.IsInputPaused == (pending >= limits.MaxOutputBufferSize),
            $"after {step}: IsInputPaused is {session.IsInputPaused} with {pending} octets pending and MaxOutputBufferSize {limits.MaxOutputBufferSize}");
        InvariantViolation.Check(session.BufferedResponseOctets >= 0 && session.BufferedResponseOctets <= limits.ConnectionResponseBufferSize,
            $"after {step}: BufferedResponseOctets {session.BufferedResponseOctets} outside 0..{limits.ConnectionResponseBufferSize}");
        InvariantViolation.Check(session.BufferedResponseOctets <= (long)session.ActiveStreamCount * limits.StreamOutputBufferSize,
            $"after {step}: BufferedResponseOctets {session.BufferedResponseOctets} with {session.ActiveStreamCount} streams of at most {limits.StreamOutputBufferSize}");
        InvariantViolation.Check(session.ActiveStreamCount <= limits.MaxConcurrentStreams,
            $"after {step}: {session.ActiveStreamCount} active streams, more than MaxConcurrentStreams {limits.MaxConcurrentStreams}");
        InvariantViolation.Check(session.ConnectionErrorCode is null || session.IsCompleted, $"after {step}: connection error {session.ConnectionErrorCode} but not completed");
        InvariantViolation.Check(!session.RequiresAbort || session.IsCompleted, $"after {step}: RequiresAbort but not completed");
        InvariantViolation.Check(session.ConnectionErrorCode != Http2ErrorCode.InternalError,
            $"after {step}: GOAWAY INTERNAL_ERROR — the session caught an exception of its own (or the application's)");
        InvariantViolation.Check(output.ConnectionError is null || session.IsCompleted, $"after {step}: GOAWAY {output.ConnectionError} was sent but the session is not completed");
        InvariantViolation.Check(app.Violations.Count == 0, $"after {step}: {string.Join("; ", app.Violations)}");
        int[] waiting = [.. app.StreamsLeftWaiting()];
        InvariantViolation.Check(waiting.Length == 0,
            $"after {step}: streams {string.Join(", ", waiting)} could write again but were never told (no OnStreamWritable after a short TryWriteData)");
    }

    /// <summary>Receive consumes every whole frame it is offered unless input is paused or the session is closed.</summary>
    public void CheckWholeFramesConsumed(byte[] unconsumed)
    {
        if (session.IsInputPaused || session.ConnectionErrorCode is not null || session.RequiresAbort)
        {
            return;
        }

        bool prefaceDone = input.PrefaceSeen;
        int length = unconsumed.Length;
        bool whole = prefaceDone
            ? length >= Http2Constants.FrameHeaderLength && length - Http2Constants.FrameHeaderLength >= FrameHeader.Read(unconsumed).PayloadLength
            : length >= Http2Constants.ClientPreface.Length;
        if (whole)
        {
            string what = prefaceDone ? FrameHeader.Read(unconsumed).ToString() : "preface";
            throw new InvariantViolation($"Receive left a whole {what} unconsumed ({length} octets) although input is not paused");
        }
    }

    /// <summary>
    /// Once no stream is open, every DATA octet the session took is either back with the client as connection credit
    /// or waiting in the batch below the WINDOW_UPDATE threshold (half the connection window): otherwise credit leaked,
    /// and a long connection would stall.
    /// </summary>
    public void CheckConnectionCreditReturned()
    {
        if (session.ConnectionErrorCode is not null || session.RequiresAbort || session.ActiveStreamCount > 0 || output.PartialOctets > 0 || !input.AtFrameBoundary)
        {
            return;
        }

        long raise = Math.Max(0, limits.InitialConnectionWindowSize - Http2Constants.DefaultInitialWindowSize);
        long kept = input.DataOctets - (output.ConnectionCredit - raise);
        InvariantViolation.Check(kept < Math.Max(1, limits.InitialConnectionWindowSize / 2),
            $"no stream is open, yet {kept} of the {input.DataOctets} DATA octets received were never credited back to the connection (§6.9)");
    }

    /// <summary>Every request body the application received whole is exactly what the client sent on that stream.</summary>
    public void CheckRequestBodies()
    {
        foreach ((int id, BodyDigest received) in app.CompleteBodies)
        {
            BodyDigest sent = input.RequestBodies.GetValueOrDefault(id, new BodyDigest());
            InvariantViolation.Check(received.Equals(sent), $"stream {id}: the application received a body of {received}, the client sent {sent}");
        }
    }
}
