// Seeded fuzzing of the sans-IO protocol core (Http2Session): valid, mutated and random client frame sequences, split
// across reads at random, against a fake application and a fake clock, with the invariants checked after every step
// (SessionInvariants, ServerOutputChecker). Deterministic: a failure names its seed and iteration and replays alone.
// The ordinary run does FuzzBudget.DefaultIterations per seed. A long run (iterations per seed; about 2000 iterations a
// second per seed in Debug on a 2-core machine, the 8 seeds one after another):
//
//   HTTP2LAB_FUZZ_ITERATIONS=1000000 dotnet test tests/Http2Lab.Http2.Tests --filter FullyQualifiedName~Fuzzing
//
// Replaying iteration n of every seed: HTTP2LAB_FUZZ_ITERATION=n dotnet test tests/Http2Lab.Http2.Tests --filter FullyQualifiedName~SessionFuzzTests
using Xunit.Abstractions;

namespace Http2Lab.Http2.Tests.Fuzzing;

public class SessionFuzzTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Random_and_mutated_client_input_never_breaks_the_session_invariants(int seed)
    {
        var fuzzer = new SessionFuzzer(seed);
        int iterations = FuzzBudget.Iterations;
        Task run = Task.Run(() => fuzzer.Run(iterations));
        try
        {
            await run.WaitAsync(FuzzBudget.TimeLimit(iterations));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The fuzzer hung or slowed down pathologically at {fuzzer.Progress}.");
        }

        output.WriteLine($"max output above MaxOutputBufferSize: {fuzzer.MaxOutputOvershoot} octets");
        foreach ((string outcome, int count) in fuzzer.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{outcome}: {count}");
        }
    }
}
