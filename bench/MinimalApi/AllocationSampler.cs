using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MinimalApi;

/// <summary>
/// The runtime's allocation sampling (an AllocationTick event about every 100 KB allocated, naming the type that
/// crossed the mark), aggregated by type: where a server's per-request bytes go, without a profiler.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword, verbose: AllocationTick
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload is null)
        {
            return;
        }

        int typeIndex = e.PayloadNames!.IndexOf("TypeName");
        int amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
        string type = typeIndex >= 0 ? e.Payload[typeIndex] as string ?? "?" : "?";
        long amount = amountIndex >= 0 ? Convert.ToInt64(e.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    /// <summary>The sampled bytes by type, largest first; <paramref name="reset"/> starts a new sample.</summary>
    public string Report(bool reset)
    {
        long total = _bytes.Values.Sum();
        string text = string.Join('\n', _bytes.OrderByDescending(p => p.Value).Take(40)
            .Select(p => $"{p.Value * 100.0 / Math.Max(total, 1),6:F1} %  {p.Key}")) + "\n";
        if (reset)
        {
            _bytes.Clear();
        }

        return text;
    }
}
