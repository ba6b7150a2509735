using System.Diagnostics;
using Http2Lab.Http2.Frames;
using Xunit.Abstractions;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// A client that reads its socket but opens no window: 100 streams downloading 8 MiB each with every stream window at
/// zero. Limits:MinResponseDataRate resets stalled streams with CANCEL; Limits:ConnectionResponseBufferSize bounds what
/// the server buffers for all of them meanwhile. Same limits and memory bound as <see cref="NonReadingClientTests"/>
/// (per-stream buffers alone would allow 100 MiB).
/// </summary>
[Collection(MemoryCollection.Name)]
public class StalledWindowsTests(ITestOutputHelper output)
{
    private const int Streams = 100;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task Streams_whose_windows_stay_at_zero_are_reset_and_memory_stays_bounded_and_is_released(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, NonReadingClientTests.Limits(240));
        await NonReadingClientTests.WarmUpAsync(host);
        long baseline = await MemorySampler.SettledManagedAsync();

        long peak;
        await using (WireClient client = await host.ConnectAsync())
        {
            await client.HandshakeAsync([new(SettingsParameter.InitialWindowSize, 0)]);
            await using (var sampler = new MemorySampler())
            {
                await RequestAllAsync(client);
                var since = Stopwatch.StartNew();

                // The first stalled stream is reset after the grace period...
                Frame first = await client.ReadUntilAsync(f => f.Type is FrameType.RstStream or FrameType.GoAway, Bounds.After(Grace));
                Assert.True(first.Type == FrameType.RstStream && first.ErrorCode == Http2ErrorCode.Cancel, $"{first}; {client.Describe()}");
                Assert.True(since.Elapsed < Bounds.After(Grace), $"first reset after {since.Elapsed.TotalSeconds:0.0} s");

                // ... and so are the others (all stalled together), while the server holds no more than its budget for them.
                var reset = new HashSet<int> { first.StreamId };
                while (reset.Count < Streams)
                {
                    Frame frame = await client.ReadUntilAsync(f => f.Type is FrameType.RstStream or FrameType.GoAway, Bounds.After(Grace));
                    Assert.True(frame.Type == FrameType.RstStream && frame.ErrorCode == Http2ErrorCode.Cancel, $"{frame}; {client.Describe()}");
                    reset.Add(frame.StreamId);
                }

                peak = sampler.PeakManaged;
                int resets = client.Received.Count(f => f.Type == FrameType.RstStream);
                output.WriteLine($"{dispatcher}{(tls ? "+TLS" : "")}: {resets} of {Streams} streams reset after {since.Elapsed.TotalSeconds:0.0} s; managed peak +{NonReadingClientTests.Mib(peak - baseline)}");
            }
        }

        Assert.True(peak - baseline < NonReadingClientTests.GrowthBound,
            $"The server's managed memory grew by {NonReadingClientTests.Mib(peak - baseline)} for 100 stalled streams (bound {NonReadingClientTests.Mib(NonReadingClientTests.GrowthBound)}).");
        await host.WaitForLiveConnectionsAsync(0, Bounds.Prompt);
        long settled = await MemorySampler.SettledManagedAsync();
        output.WriteLine($"after: +{NonReadingClientTests.Mib(settled - baseline)} over the baseline");
        Assert.True(settled - baseline < NonReadingClientTests.ResidueBound,
            $"{NonReadingClientTests.Mib(settled - baseline)} stayed referenced after the connection was closed (bound {NonReadingClientTests.Mib(NonReadingClientTests.ResidueBound)}).");

        await host.AssertServesNewClientAsync();
    }

    /// <summary>
    /// Every one of the 100 streams has stalled for good after the grace period, so all are reset then — including the
    /// streams that wait only for the connection's response buffer (held by the stalled ones), which the connection's
    /// own response clock times. (Before it did, the buffer passed from one stalled stream to the next as each was reset,
    /// about one stream per heartbeat: >100 s measured.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task All_streams_whose_windows_stay_at_zero_are_reset_after_the_grace_period(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, NonReadingClientTests.Limits(240));
        await using WireClient client = await host.ConnectAsync();
        await client.HandshakeAsync([new(SettingsParameter.InitialWindowSize, 0)]);
        await RequestAllAsync(client);
        var since = Stopwatch.StartNew();
        var reset = new HashSet<int>();
        while (reset.Count < Streams)
        {
            Frame frame = await client.ReadUntilAsync(f => f.Type is FrameType.RstStream or FrameType.GoAway,
                TimeSpan.FromMilliseconds(Math.Max(1, (Bounds.After(Grace) - since.Elapsed).TotalMilliseconds)));
            Assert.True(frame.Type == FrameType.RstStream && frame.ErrorCode == Http2ErrorCode.Cancel, $"{frame}");
            reset.Add(frame.StreamId);
        }

        Assert.True(since.Elapsed < Bounds.After(Grace));
        await host.AssertServesNewClientAsync();
    }

    private static Task RequestAllAsync(WireClient client) => client.WriteAsync(requests =>
    {
        for (int i = 0; i < Streams; i++)
        {
            client.WriteRequest(requests, "GET", "/download?bytes=8388608", endStream: true);
        }
    });
}
