using System.Globalization;
using Http2Lab.Client;

namespace Http2Lab.Samples.Client;

/// <summary>
/// <c>--ping N</c>: N PINGs, one after another, on the connection to each URL's origin (RFC 9113 §6.7); one line per
/// round trip, then min / median / max — the connection's latency through both HTTP/2 stacks, without a request.
/// </summary>
internal static class PingMode
{
    public static async Task<int> RunAsync(CliOptions options, CancellationToken cancellationToken)
    {
        await using var client = new Http2Client(RequestMode.ClientOptions(options));
        foreach (string url in options.Urls)
        {
            var roundTrips = new List<double>(options.Pings);
            for (int i = 0; i < options.Pings; i++)
            {
                TimeSpan rtt = await client.PingAsync(url, cancellationToken);
                roundTrips.Add(rtt.TotalMicroseconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PING ACK from {new Uri(url).Authority}: {rtt.TotalMicroseconds:0} µs"));
            }

            roundTrips.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{roundTrips.Count} PINGs: min {roundTrips[0]:0} µs, median {roundTrips[roundTrips.Count / 2]:0} µs, max {roundTrips[^1]:0} µs"));
        }

        return 0;
    }
}
