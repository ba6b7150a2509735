using System.Globalization;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// How long the fuzz tests run: a fixed number of iterations per seed, raised with HTTP2LAB_FUZZ_ITERATIONS for long
/// runs; HTTP2LAB_FUZZ_ITERATION=n replays only iteration n of each seed (the number a failure reports).
/// </summary>
internal static class FuzzBudget
{
    /// <summary>Per seed, for the ordinary test run: about 4 s for the 8 seeds in Debug on a 2-core machine.</summary>
    public const int DefaultIterations = 500;

    public static int Iterations => ReadInt("HTTP2LAB_FUZZ_ITERATIONS") ?? DefaultIterations;

    public static int? OnlyIteration => ReadInt("HTTP2LAB_FUZZ_ITERATION");

    /// <summary>
    /// The wall-clock bound of one seed: generous (an iteration takes about half a millisecond), so that only a hang or
    /// a pathological slowdown trips it, not a busy machine.
    /// </summary>
    public static TimeSpan TimeLimit(int iterations) => TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(20.0 * iterations);

    /// <summary>The bound of one iteration.</summary>
    public static TimeSpan IterationTimeLimit => TimeSpan.FromSeconds(10);

    private static int? ReadInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : null;
}
