using System.Diagnostics;
using Http2Lab.Http2.Frames;
using Xunit.Abstractions;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// A client that asks for a lot and takes nothing: 100 streams downloading 16 MiB each (1.6 GB requested), over a
/// connection whose windows it opened wide, and then it never reads its socket. Limits:MinResponseDataRate (the output
/// half) closes the connection once its output has stood still past the grace period; meanwhile
/// Limits:ConnectionResponseBufferSize and Limits:MaxOutputBufferSize bound what the server holds for it.
/// </summary>
/// <remarks>
/// <para>
/// The memory bound. <c>StreamOutputBufferSize</c> is raised to 1 MiB here, so that per-stream buffering alone would let
/// 100 stalled streams pin 100 MiB; what must keep the server far below that is the connection-wide budget:
/// <c>ConnectionResponseBufferSize</c> (256 KiB of response data) + <c>MaxOutputBufferSize</c> (256 KiB of frames
/// queued for the socket) + what the dispatcher holds between the session and the socket (pipes, TLS buffers: a few
/// hundred KiB) + per-stream state for 100 running handlers (request head, body pipe, task; ~10 KiB each, about 1 MiB).
/// That is 2–3 MiB; <see cref="GrowthBound"/> allows 16 MiB over the baseline for collector noise and pools, still six
/// times below what per-stream buffers alone would permit. After the defence fired and the handlers ended, the heap
/// must come back to within <see cref="ResidueBound"/> (8 MiB) of the baseline: what may remain is pooled arrays kept
/// for reuse (ArrayPool, the pipes' block pool), not the connection. Measured on every dispatcher: peak +0.4 to +4.5
/// MiB, residue -1 to +4 MiB.
/// </para>
/// <para>
/// The stated time. The output rate is an average over the time the output waited, and the octets the server handed
/// on before the socket filled up — into the kernel's send buffer (4 MiB at most here, <c>tcp_wmem</c>), the driver's
/// pipes or TLS buffers, the client's receive buffer — count in the client's favour (see
/// <see cref="A_client_that_never_reads_is_closed_within_the_grace_period_at_the_default_rate"/>). The stated time is
/// therefore grace + <see cref="CreditBound"/> / rate; the rate is set to 4 MiB/s so that this credit adds at most
/// 1.5 s. Measured: closed 2–5 s after the requests on every dispatcher.
/// </para>
/// </remarks>
[Collection(MemoryCollection.Name)]
public class NonReadingClientTests(ITestOutputHelper output)
{
    /// <summary>Managed heap growth allowed while the offender is connected (see the remarks).</summary>
    public const long GrowthBound = 16L * 1024 * 1024;

    /// <summary>Managed heap growth allowed to remain once the connection is gone.</summary>
    public const long ResidueBound = 8L * 1024 * 1024;

    /// <summary>The most octets a stalled connection's output can hand on before it stands still (see the remarks).</summary>
    private const long CreditBound = 6L * 1024 * 1024;

    private const int Streams = 100;
    private const long BytesPerStream = 16L * 1024 * 1024;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    /// <summary>The limits of the memory tests (this class and <see cref="StalledWindowsTests"/>), at a given response rate.</summary>
    public static Dictionary<string, string?> Limits(int minResponseDataRate) => new()
    {
        ["MinResponseDataRate"] = $"{minResponseDataRate}",
        ["DataRateGracePeriod"] = "00:00:01",
        ["StreamOutputBufferSize"] = $"{1024 * 1024}",
        ["ConnectionResponseBufferSize"] = $"{256 * 1024}",
        ["MaxOutputBufferSize"] = $"{256 * 1024}",
        ["MaxConcurrentStreams"] = $"{Streams}",
    };

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_never_reads_is_closed_and_its_memory_is_bounded_and_released(string dispatcher, bool tls)
    {
        const int rate = 4 * 1024 * 1024;
        TimeSpan stated = Grace + TimeSpan.FromSeconds((double)CreditBound / rate);
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits(rate));
        await WarmUpAsync(host);
        long baseline = await MemorySampler.SettledManagedAsync();

        long peak;
        TimeSpan closedAfter;
        await using (WireClient client = await host.ConnectAsync(receiveBufferSize: 64 * 1024))
        {
            await using (var sampler = new MemorySampler())
            {
                Stopwatch since = await StopReadingAsync(host, client);
                await WaitUntilAsync(() => host.LiveConnections == 0, Bounds.After(stated), host);
                closedAfter = since.Elapsed;
                peak = sampler.PeakManaged;
                output.WriteLine($"{dispatcher}{(tls ? "+TLS" : "")}: closed after {closedAfter.TotalSeconds:0.0} s; managed baseline {Mib(baseline)}, peak +{Mib(peak - baseline)}; peak working set {Mib(sampler.PeakWorkingSet)}");
            }

            Assert.True(closedAfter < Bounds.After(stated), $"closed after {closedAfter.TotalSeconds:0.0} s; stated {stated.TotalSeconds:0.0} s + slack");

            // The client finds its connection closed (EOF or reset) once it has read what had reached it.
            ConnectionEnd end = await client.ReadUntilClosedAsync(Bounds.Read);
            output.WriteLine($"client: {end.Frames.Count} frames had reached it, then {end.Reason}");
        }

        Assert.True(peak - baseline < GrowthBound,
            $"The server's managed memory grew by {Mib(peak - baseline)} for one client that does not read (bound {Mib(GrowthBound)}).");
        long settled = await MemorySampler.SettledManagedAsync();
        output.WriteLine($"after: +{Mib(settled - baseline)} over the baseline");
        Assert.True(settled - baseline < ResidueBound,
            $"{Mib(settled - baseline)} stayed referenced after the connection was closed (bound {Mib(ResidueBound)}).");

        await host.AssertServesNewClientAsync();
    }

    /// <summary>
    /// The same client against the default rate (240 octets/s): the connection goes after the grace period, as the
    /// limit's documentation says ("a connection whose socket is not read is closed"). The octets the server handed on
    /// before its output stood still (kernel send buffer, pipes, TLS: hundreds of KiB to MiBs) count only for the window
    /// in which they moved, so they cannot buy the stalled connection minutes (they once did: >150 s measured).
    /// </summary>
    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_never_reads_is_closed_within_the_grace_period_at_the_default_rate(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits(240));
        await using WireClient client = await host.ConnectAsync(receiveBufferSize: 64 * 1024);
        Stopwatch since = await StopReadingAsync(host, client);
        await WaitUntilAsync(() => host.LiveConnections == 0, Bounds.After(Grace), host);
        Assert.True(since.Elapsed < Bounds.After(Grace));
        await host.AssertServesNewClientAsync();
    }

    /// <summary>Runs the code paths once (JIT, pools, TLS) so the baseline includes them.</summary>
    internal static async Task WarmUpAsync(DefenceHost host)
    {
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            int[] downloads = new int[4];
            for (int i = 0; i < downloads.Length; i++)
            {
                downloads[i] = await client.SendRequestAsync("GET", "/download?bytes=1048576");
            }

            foreach (int download in downloads)
            {
                (int status, byte[] body, Http2ErrorCode? reset) = await client.ReadResponseAsync(download, Bounds.Read);
                Assert.True(status == 200 && reset is null && body.Length == 1048576, $"warm-up: status {status}, {body.Length} octets, reset {reset}");
            }
        }

        await host.AssertServesNewClientAsync();
        await host.WaitForLiveConnectionsAsync(0, Bounds.Prompt);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, DefenceHost host)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > bound)
            {
                Assert.Fail($"Not so after {bound.TotalSeconds:0.#} s ({host.LiveConnections} connection(s) live).\n{host.Log.Tail()}");
            }

            await Task.Delay(50);
        }
    }

    internal static string Mib(long octets) => $"{octets / (1024.0 * 1024):0.00} MiB";

    /// <summary>
    /// Opens every window wide (blind SETTINGS ACK included: it will never read the server's), asks for 100 large
    /// downloads and from then on reads nothing. Returns a clock started once the server is serving it.
    /// </summary>
    private static async Task<Stopwatch> StopReadingAsync(DefenceHost host, WireClient client)
    {
        await client.SendPrefaceAsync([new(SettingsParameter.InitialWindowSize, int.MaxValue)], int.MaxValue - Http2Constants.DefaultInitialWindowSize,
            blindSettingsAck: true);
        await client.WriteAsync(requests =>
        {
            for (int i = 0; i < Streams; i++)
            {
                client.WriteRequest(requests, "GET", $"/download?bytes={BytesPerStream}", endStream: true);
            }
        });
        var since = Stopwatch.StartNew();
        await WaitUntilAsync(() => host.LiveConnections == 1, Bounds.Prompt, host);
        return since;
    }
}
