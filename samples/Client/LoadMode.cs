using System.Diagnostics;
using Http2Lab.Client;

namespace Http2Lab.Samples.Client;

/// <summary>
/// Quick load (<c>-n N -c C -m M</c>, h2load's letters): C connections, M requests in flight on each, N requests in
/// all; prints requests per second and latency percentiles.
/// </summary>
internal static class LoadMode
{
    public static async Task<int> RunAsync(CliOptions options, CancellationToken cancellationToken)
    {
        int clients = Math.Max(1, options.Clients), streams = Math.Max(1, options.MaxConcurrentStreams);
        var latencies = new List<double>[clients * streams];
        long remaining = options.Requests, failures = 0, octets = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        Http2Client[] connections = [.. Enumerable.Range(0, clients).Select(_ => new Http2Client(RequestMode.ClientOptions(options with { Verbose = false })))];
        try
        {
            var clock = Stopwatch.StartNew();
            async Task WorkerAsync(int worker)
            {
                Http2Client client = connections[worker % clients];
                List<double> mine = latencies[worker] = [];
                long n;
                while ((n = Interlocked.Decrement(ref remaining)) >= 0)
                {
                    string url = options.Urls[(int)(n % options.Urls.Count)];
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        await using Http2ClientResponse response = await client.SendAsync(RequestMode.BuildRequest(options, url), cancellationToken);
                        Interlocked.Add(ref octets, await response.DrainAsync(cancellationToken));
                        statuses.AddOrUpdate(response.StatusCode, 1, (_, count) => count + 1);
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    catch (Http2ClientException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, clients * streams).Select(WorkerAsync));
            clock.Stop();
            double[] all = [.. latencies.Where(l => l is not null).SelectMany(l => l).Order()];
            Console.WriteLine($"finished in {clock.Elapsed.TotalSeconds:F2} s: {all.Length / clock.Elapsed.TotalSeconds:F0} req/s, {octets / clock.Elapsed.TotalSeconds / 1e6:F2} MB/s");
            Console.WriteLine($"requests: {options.Requests} total, {all.Length} succeeded, {failures} failed; {clients} connection(s) x {streams} stream(s)");
            Console.WriteLine("status codes: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
            if (all.Length > 0)
            {
                Console.WriteLine($"latency ms: min {all[0]:F2}  mean {all.Average():F2}  p50 {Percentile(all, 50):F2}  p90 {Percentile(all, 90):F2}  p99 {Percentile(all, 99):F2}  max {all[^1]:F2}");
            }

            return failures == 0 ? 0 : 1;
        }
        finally
        {
            foreach (Http2Client client in connections)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static double Percentile(double[] sorted, int percent) =>
        sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
