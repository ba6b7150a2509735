using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Http2.Tests.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Drives one <see cref="Http2Session"/> the way a transport driver does — reads offered with what was not consumed
/// before, output written in full, in part or not at all (a slow reader), heartbeats with a fake clock, the
/// application acting between reads — and checks the invariants after every step (<see cref="SessionInvariants"/>).
/// </summary>
internal sealed class FuzzDriver : IDisposable
{
    private const int TranscriptLength = 60;
    private const int MaxStepsWithoutWrite = 6;

    private readonly Random _random;
    private readonly Queue<string> _transcript = new();
    private readonly long _startedAt;
    private byte[] _unconsumed = [];
    private bool _inputFrozen;
    private int _stepsWithoutWrite;
    private int _steps;
    private ulong? _pingSent;

    public FuzzDriver(Http2Limits limits, Random random)
    {
        Limits = limits;
        _random = random;
        App = new FuzzApplication(new Random(random.Next()), limits, Log);
        Session = new Http2Session(limits, App, random.Next(10) == 0 ? new FormattingLogger() : null, Time);
        App.Session = Session;
        Output = new ServerOutputChecker(limits, Input);
        Invariants = new SessionInvariants(Session, limits, Input, Output, App);
        _startedAt = Time.GetTimestamp();
    }

    public Http2Limits Limits { get; }

    public ManualTimeProvider Time { get; } = new();

    public FuzzApplication App { get; }

    public Http2Session Session { get; }

    public ConsumedInput Input { get; } = new();

    public ServerOutputChecker Output { get; }

    public SessionInvariants Invariants { get; }

    /// <summary>The transport would be closed now: the session completed (or must be aborted).</summary>
    public bool Stopped { get; private set; }

    /// <summary>The driver called <see cref="Http2Session.Abort"/>, or the session asked it to abort (<see cref="Http2Session.RequiresAbort"/>).</summary>
    public bool Aborted { get; private set; }

    public TimeSpan Elapsed => Time.GetElapsedTime(_startedAt);

    public string Transcript => string.Join(Environment.NewLine, _transcript);

    /// <summary>One read: <paramref name="chunk"/> appended to the octets not consumed yet, offered in one or more segments.</summary>
    public void Receive(byte[] chunk)
    {
        byte[] offered = [.. _unconsumed, .. chunk];
        long consumed = 0;
        bool paused = Session.IsInputPaused;
        Step($"Receive({offered.Length} octets, {chunk.Length} new)", () => consumed = Session.Receive(Segments.Split(_random, offered)));
        InvariantViolation.Check(consumed >= 0 && consumed <= offered.Length, $"Receive returned {consumed} for {offered.Length} octets");
        InvariantViolation.Check(!paused || consumed == 0 || Session.IsCompleted, $"Receive consumed {consumed} octets while input was paused");
        Log($"  consumed {consumed}");
        if (!_inputFrozen)
        {
            Input.Add(offered.AsSpan(0, (int)consumed));
            _inputFrozen = Session.ConnectionErrorCode is not null;
        }

        _unconsumed = offered[(int)consumed..];
        Invariants.CheckWholeFramesConsumed(_unconsumed);
        if (Session.IsCompleted)
        {
            Stopped = _random.Next(5) != 0; // sometimes keep feeding a completed session: it must stay well-behaved
        }
    }

    /// <summary>What happens between two reads: the application, a heartbeat, driver calls, writing output.</summary>
    public void BetweenReads()
    {
        if (_random.Next(2) == 0)
        {
            Step("application between reads", App.ActBetweenReads);
        }

        if (_random.Next(3) == 0)
        {
            Heartbeat(HeartbeatInterval());
        }

        switch (_random.Next(200))
        {
            case < 3:
                Step("SendPing()", Session.SendPing);
                _pingSent = Session.ConnectionErrorCode is null ? (ulong)Time.GetTimestamp() : null; // the session's opaque data
                break;
            case < 5: Step("BeginGracefulShutdown()", Session.BeginGracefulShutdown); break;
            case 5:
                Aborted = true;
                Step("Abort(Cancel)", () => Session.Abort(Http2ErrorCode.Cancel, "fuzz driver aborts"));
                break;
        }

        Write(_stepsWithoutWrite >= MaxStepsWithoutWrite ? 0 : _random.Next(10));
    }

    /// <summary>
    /// The end of the input: what is still unconsumed is offered again while the application finishes its responses
    /// and output is written, until nothing changes; then the transport closes (sometimes after a graceful shutdown).
    /// </summary>
    public void Finish()
    {
        for (int round = 0; round < 40 && !Stopped; round++)
        {
            int before = _unconsumed.Length;
            Write(0);
            if (_unconsumed.Length > 0)
            {
                Receive([]);
            }

            if (round % 4 == 3)
            {
                Step("application finishes", App.FinishAll);
            }

            Heartbeat(TimeSpan.FromMilliseconds(_random.Next(0, 400)));
            if (_unconsumed.Length == before && round > 8 && !Session.HasPendingOutput)
            {
                break;
            }
        }

        Write(0);
        if (!Session.RequiresAbort)
        {
            Output.CheckComplete();
        }

        EchoPing();
        Invariants.CheckConnectionCreditReturned();
        Invariants.CheckRequestBodies();

        if (_random.Next(2) == 0)
        {
            Step("BeginGracefulShutdown()", Session.BeginGracefulShutdown);
            Write(0);
        }

        Step("OnTransportClosed()", Session.OnTransportClosed);
        InvariantViolation.Check(!Session.HasPendingOutput && Session.IsCompleted && Session.ActiveStreamCount == 0,
            "after OnTransportClosed: output still queued, not completed, or streams still open");
    }

    public void Dispose() => Session.Dispose();

    /// <summary>
    /// A client answering the session's PING (§6.7), where the input is at a frame boundary: the ACK must be taken and
    /// set <see cref="Http2Session.LastPingRoundTrip"/>.
    /// </summary>
    private void EchoPing()
    {
        if (_pingSent is not ulong opaque || Stopped || _unconsumed.Length > 0 || !Input.AtFrameBoundary || Session.IsCompleted)
        {
            return;
        }

        Time.Advance(TimeSpan.FromMilliseconds(7));
        Receive(FrameBuilder.Ping(opaque, ack: true));
        InvariantViolation.Check(Session.IsCompleted || Session.LastPingRoundTrip is not null, "the ACK of our PING did not set LastPingRoundTrip");
        Write(0);
    }

    private void Heartbeat(TimeSpan interval)
    {
        Time.Advance(interval);
        Step($"OnHeartbeat() after {interval.TotalMilliseconds} ms", Session.OnHeartbeat);
        if (Session.RequiresAbort)
        {
            // The driver closes the transport at once; the session already dropped its output.
            Aborted = true;
            Stopped = true;
        }
    }

    private TimeSpan HeartbeatInterval() => _random.Next(20) switch
    {
        0 => TimeSpan.FromSeconds(_random.Next(5, 40)),
        < 4 => TimeSpan.FromMilliseconds(_random.Next(1000, 3000)),
        _ => TimeSpan.FromMilliseconds(_random.Next(0, 300)),
    };

    /// <summary>Writes output as a transport would: 0–5 all of it, 6–7 through DrainOutputTo, 8 part of it, 9 nothing.</summary>
    private void Write(int how)
    {
        if (how >= 9 || !Session.HasPendingOutput)
        {
            _stepsWithoutWrite++;
            return;
        }

        _stepsWithoutWrite = 0;
        if (how is 6 or 7)
        {
            var destination = new ArrayBufferWriter<byte>();
            Step("DrainOutputTo()", () => Session.DrainOutputTo(destination));
            Output.Append(destination.WrittenSpan);
            return;
        }

        for (int writes = 0; Session.HasPendingOutput; writes++)
        {
            InvariantViolation.Check(writes < 10_000, "the output never drains: the session keeps producing");
            ReadOnlySpan<byte> pending = Session.PendingOutput.Span;
            int count = how == 8 ? _random.Next(1, pending.Length + 1) : pending.Length;
            Output.Append(pending[..count]);
            Step($"AdvanceOutput({count} of {pending.Length})", () => Session.AdvanceOutput(count));
            if (how == 8)
            {
                return;
            }
        }
    }

    private void Step(string description, Action action)
    {
        _steps++;
        Log(description);
        try
        {
            action();
        }
        catch (InvariantViolation)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new InvariantViolation($"{description} threw to its caller: {ex}");
        }

        Invariants.CheckAfter(description);
    }

    private void Log(string entry)
    {
        if (_transcript.Count == TranscriptLength)
        {
            _transcript.Dequeue();
        }

        _transcript.Enqueue($"{_steps}: {entry}");
    }
}
