using System.Diagnostics;
using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Runs the fuzz iterations of one seed. Each iteration is determined by (seed, iteration) alone: random limits, a
/// conversation (valid, mutated, or noise), a way of splitting it across reads, and a fake application and driver —
/// all drawn from one <see cref="Random"/>.
/// </summary>
internal sealed class SessionFuzzer(int seed)
{
    private static readonly Http2ErrorCode[] ValidResetCodes = [Http2ErrorCode.NoError, Http2ErrorCode.Cancel, Http2ErrorCode.RefusedStream];

    private volatile string _progress = "not started";

    public enum Mode { Valid, Mutated, Noise }

    /// <summary>Where the fuzzer is, for the report when a seed runs out of time.</summary>
    public string Progress => _progress;

    /// <summary>GOAWAY error codes seen, per code: a rough measure of which paths the iterations reached.</summary>
    public Dictionary<string, int> Outcomes { get; } = [];

    /// <summary>The largest amount by which pending output exceeded MaxOutputBufferSize in any iteration.</summary>
    public int MaxOutputOvershoot { get; private set; }

    public void Run(int iterations)
    {
        if (FuzzBudget.OnlyIteration is int only)
        {
            RunIteration(only);
            return;
        }

        for (int i = 0; i < iterations; i++)
        {
            RunIteration(i);
        }
    }

    public void RunIteration(int iteration)
    {
        _progress = $"seed {seed}, iteration {iteration}";
        var random = new Random(unchecked((seed * 1_000_003) + iteration));
        Http2Limits limits = FuzzLimits.Pick(random);
        Mode mode = random.Next(10) switch { < 3 => Mode.Valid, < 9 => Mode.Mutated, _ => Mode.Noise };
        var mutations = new List<string>();
        var generator = new ConversationGenerator(random, limits, malformedRequests: mode == Mode.Mutated);
        List<ClientFrame> frames = mode == Mode.Noise ? FrameMutator.Noise(random, limits, mutations) : generator.Generate();
        if (mode == Mode.Mutated)
        {
            FrameMutator.Mutate(random, frames, limits, generator.LastStreamId, mutations);
        }

        List<byte[]> chunks = InputChunks.Split(random, frames);
        using var driver = new FuzzDriver(limits, random);
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (byte[] chunk in chunks)
            {
                driver.Receive(chunk);
                if (driver.Stopped)
                {
                    break;
                }

                driver.BetweenReads();
                if (driver.Stopped)
                {
                    break;
                }
            }

            driver.Finish();
            if (mode == Mode.Valid)
            {
                CheckValidOutcome(driver);
            }

            InvariantViolation.Check(clock.Elapsed < FuzzBudget.IterationTimeLimit, $"the iteration took {clock.Elapsed}");
        }
        catch (InvariantViolation violation)
        {
            throw new InvariantViolation(Report(violation.Message, iteration, mode, limits, mutations, frames, chunks, driver));
        }

        string outcome = driver.Output.ConnectionError?.ToString() ?? (driver.Output.GracefulGoAwaySent ? "graceful" : "open");
        Outcomes[$"{mode}:{outcome}"] = Outcomes.GetValueOrDefault($"{mode}:{outcome}") + 1;
        MaxOutputOvershoot = Math.Max(MaxOutputOvershoot, driver.Invariants.MaxOutputOvershoot);
    }

    /// <summary>
    /// A valid conversation never ends in a connection error (unless time ran past a connection timeout or the
    /// driver ended it), and streams are reset only for reasons a valid client cannot avoid: REFUSED_STREAM,
    /// NO_ERROR after a complete response, CANCEL (body limits, data rates), or what the application asked for.
    /// </summary>
    private static void CheckValidOutcome(FuzzDriver driver)
    {
        if (driver.Aborted || driver.Elapsed >= FuzzLimits.ShortestConnectionTimeout(driver.Limits))
        {
            return;
        }

        InvariantViolation.Check(driver.Output.ConnectionError is null,
            $"a valid conversation ended with GOAWAY {driver.Output.ConnectionError}: {driver.Output.ConnectionErrorReason}");
        foreach ((int streamId, Http2ErrorCode code) in driver.Output.Resets)
        {
            InvariantViolation.Check(ValidResetCodes.Contains(code) || driver.App.OwnResets.Contains((streamId, code)),
                $"a valid conversation got RST_STREAM {code} on stream {streamId}");
        }
    }

    private string Report(string violation, int iteration, Mode mode, Http2Limits limits, List<string> mutations,
        List<ClientFrame> frames, List<byte[]> chunks, FuzzDriver driver)
    {
        var report = new StringBuilder();
        report.AppendLine(violation);
        report.AppendLine($"seed {seed}, iteration {iteration} (replay: HTTP2LAB_FUZZ_ITERATION={iteration}), mode {mode}");
        report.AppendLine($"limits: {FuzzLimits.Describe(limits)}");
        report.AppendLine($"mutations: {string.Join("; ", mutations)}");
        report.AppendLine($"frames: {string.Join(", ", frames)}");
        report.AppendLine($"reads: {string.Join(",", chunks.Select(c => c.Length))}");
        byte[] input = [.. frames.SelectMany(f => f.Octets)];
        string file = Path.Combine(Path.GetTempPath(), $"http2lab-fuzz-seed{seed}-iteration{iteration}.bin");
        File.WriteAllBytes(file, input);
        report.AppendLine($"input ({input.Length} octets, all of them in {file}): {Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 1024)))}");
        report.AppendLine("last steps:");
        report.AppendLine(driver.Transcript);
        return report.ToString();
    }
}
