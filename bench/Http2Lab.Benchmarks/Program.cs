using BenchmarkDotNet.Running;
using Http2Lab.Benchmarks;

// dotnet run -c Release -- --filter '*' --job short     all benchmarks, short job
// dotnet run -c Release -- --alloc-probe                 where the request round-trip allocates
if (args.Contains("--alloc-probe"))
{
    AllocationProbe.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(FrameParsingBenchmarks).Assembly).Run(args);
