using System.Diagnostics;
using Http2Lab.Transport.Tests.Infrastructure;
using Xunit.Abstractions;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>Tests that measure the process's memory: they run alone, so other tests' allocations do not count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "Memory measurement (runs alone)";
}

/// <summary>
/// The echo server's memory is bounded per client: a client that sends and never reads cannot make the server hold
/// more than its echo buffer (input is paused when it is full), whatever the dispatcher.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class EchoMemoryTests(ITestOutputHelper output)
{
    private const long Attempted = 100L * 1024 * 1024;

    // The bound on the server process's growth while one client has written as much as it could of 100 MB without
    // reading. What the server may legitimately hold for that client: its echo buffer (EchoBufferSize, 16 KiB); the
    // dispatcher's read buffer (Blocking: 32 KiB; Poll: a 16 KiB chunk); TLS record buffers (tens of KiB); and on
    // Async the pipes of Kestrel's socket connection (input paused at 1 MiB, output at 64 KiB) plus the TLS
    // middleware's stream pipe. That is about 1.5 MiB. The rest of what the client "sent" sits in kernel socket
    // buffers (up to tens of MiB on loopback with autotuning), which are neither GC heap nor process working set.
    // 64 MiB leaves ample room for the JIT, the GC's own bookkeeping and the test's other client, and is still far
    // below the 100 MB a server without backpressure would have to hold.
    private const long GrowthBound = 64L * 1024 * 1024;

    [Theory]
    [MemberData(nameof(AllWithTls), MemberType = typeof(DispatcherTestHost))]
    public async Task A_client_writing_100_MB_without_reading_leaves_the_server_memory_bounded_and_others_served(string dispatcher, bool tls)
    {
        var host = Build(dispatcher, tls, extra: new Dictionary<string, string?> { ["EchoMode"] = "Bytes" });
        try
        {
            var url = await StartAsync(host);

            // Warm the path (JIT, pools, TLS) so the baseline already includes the code, and only data could grow.
            await using (var warm = await EchoClient.ConnectAsync(url, tls))
            {
                Assert.Equal(new byte[100_000], await warm.EchoBatchAsync(new byte[100_000]));
            }

            var before = Measure();

            // Small, fixed client buffers: what the client cannot push into the kernel stays in the client.
            var hog = await EchoClient.ConnectAsync(url, tls, socketBuffers: 64 * 1024);
            var sent = new Counter();
            var writing = Task.Run(async () =>
            {
                var chunk = new byte[64 * 1024];
                new Random(4).NextBytes(chunk);
                while (sent.Value < Attempted)
                {
                    await hog.Stream.WriteAsync(chunk);
                    sent.Add(chunk.Length);
                }
            });
            try
            {
                await WaitUntilStalledAsync(sent, writing);
                Assert.False(writing.IsCompleted, $"the client wrote all 100 MB without reading (status {writing.Status}): the server must have buffered it");
                long stalledAt = sent.Value;

                if (dispatcher != SingleClient)
                {
                    // Meanwhile, other clients are served.
                    await using var other = await EchoClient.ConnectAsync(url, tls);
                    Assert.Equal("still served", await other.PingAsync("still served"));
                    Assert.Equal(new byte[200_000], await other.EchoBatchAsync(new byte[200_000]));
                }

                var during = Measure();
                output.WriteLine($"{dispatcher}{(tls ? " (TLS)" : "")}: the client pushed {Mib(stalledAt)} MiB before it stalled; " +
                                 $"GC heap {Mib(before.Heap)} -> {Mib(during.Heap)} MiB, working set {Mib(before.WorkingSet)} -> {Mib(during.WorkingSet)} MiB");
                Assert.True(during.Heap - before.Heap < GrowthBound,
                    $"GC heap grew by {Mib(during.Heap - before.Heap)} MiB (bound {Mib(GrowthBound)} MiB)");
                Assert.True(during.WorkingSet - before.WorkingSet < GrowthBound,
                    $"working set grew by {Mib(during.WorkingSet - before.WorkingSet)} MiB (bound {Mib(GrowthBound)} MiB)");
                Assert.True(sent.Value < Attempted, "the client wrote all 100 MB without reading"); // still held back
            }
            finally
            {
                // The hog disappears (reset); its pending write fails.
                hog.Reset();
                try
                {
                    await writing.WaitAsync(TransportTestHost.Timeout);
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
                {
                }
            }

            // Its connection is cleaned up and (SingleClient) the next client is served.
            await WaitUntilAsync(() => GetDispatcher(host).GetConnections().Count == 0, "the hog's connection to end");
            await using var next = await EchoClient.ConnectAsync(url, tls);
            Assert.Equal("next", await next.PingAsync("next"));
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    /// <summary>Waits until the writer has made no progress for a while (or finished); fails after the anti-hang bound.</summary>
    private static async Task WaitUntilStalledAsync(Counter sent, Task writing)
    {
        var deadline = DateTime.UtcNow + TransportTestHost.Timeout;
        long last = -1;
        var unchangedSince = DateTime.UtcNow;
        while (!writing.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the client kept writing for {TransportTestHost.Timeout.TotalSeconds} s ({sent.Value} octets)");
            long now = sent.Value;
            if (now != last)
            {
                last = now;
                unchangedSince = DateTime.UtcNow;
            }
            else if (now > 0 && DateTime.UtcNow - unchangedSince > TimeSpan.FromMilliseconds(500))
            {
                return;
            }

            await Task.Delay(50);
        }

        await writing; // surfaces a write failure
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1");

    private sealed class Counter
    {
        private long _value;

        public long Value => Interlocked.Read(ref _value);

        public void Add(long count) => Interlocked.Add(ref _value, count);
    }
}
