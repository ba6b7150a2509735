using System.Net;
using System.Net.Sockets;
using Http2Lab.Transport.Dispatchers.Poll;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// The Poll dispatcher where SO_REUSEPORT is refused: one loop accepts and hands connections to the others. Runs
/// alone: the switch that simulates such an OS is process-wide, and no other Poll endpoint may see it.
/// </summary>
[Collection(Name)]
public sealed class PollHandOffTests
{
    public const string Name = "Poll hand-off (process-wide switch)";

    [Fact]
    public async Task Without_SO_REUSEPORT_one_loop_accepts_and_hands_connections_round_robin_to_both()
    {
        var probe = new ThreadProbe();
        var log = new TestLog();
        PollDispatcher.ReusePortUnavailableForTests = true;
        var host = Build(Poll, protocol: "ThreadProbe", log: log, services: probe.Register(),
            extra: new Dictionary<string, string?> { ["Loops"] = "2", ["MaxClients"] = "3" });
        var clients = new List<LineClient>();
        try
        {
            var url = await StartAsync(host);
            var dispatcher = Assert.IsType<PollDispatcher>(GetDispatcher(host));
            Assert.False(dispatcher.LoopsShareThePort);
            Assert.Contains(log.Messages, m => m.Contains("SO_REUSEPORT is not available"));

            var threadOf = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var client = await LineClient.ConnectAsync(url);
                clients.Add(client);
                await client.SendAsync("who\n");
                threadOf.Add(ThreadProbe.Parse(await client.ReadLineAsync()).Name);
            }

            // Round-robin: consecutive connections alternate between the loops, and each stays on its loop.
            Assert.NotEqual(threadOf[0], threadOf[1]);
            Assert.Equal(threadOf[0], threadOf[2]);
            await clients[1].SendAsync("who\n");
            Assert.Equal(threadOf[1], ThreadProbe.Parse(await clients[1].ReadLineAsync()).Name);

            // MaxClients still holds for the two loops together.
            await using (var extra = await LineClient.ConnectAsync(url))
            {
                Assert.True(await extra.IsClosedByServerAsync());
            }
        }
        finally
        {
            PollDispatcher.ReusePortUnavailableForTests = false;
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }
}

[CollectionDefinition(PollHandOffTests.Name, DisableParallelization = true)]
public sealed class PollHandOffCollection
{
}
