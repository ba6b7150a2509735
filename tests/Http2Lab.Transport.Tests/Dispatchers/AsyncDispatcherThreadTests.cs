using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>The Async dispatcher runs connections with async/await on the thread pool: no thread of its own per connection.</summary>
public sealed class AsyncDispatcherThreadTests
{
    [Fact]
    public async Task Connections_are_processed_on_thread_pool_threads()
    {
        var probe = new ThreadProbe();
        var host = Build(Async, protocol: "ThreadProbe", services: probe.Register());
        try
        {
            var url = await StartAsync(host);
            var clients = new List<LineClient>();
            for (var i = 0; i < 3; i++)
            {
                var client = await LineClient.ConnectAsync(url);
                clients.Add(client);
                await client.SendAsync("who\n");
                Assert.True(ThreadProbe.Parse(await client.ReadLineAsync()).Pool);
            }

            Assert.All(probe.Threads, t => Assert.True(t.IsThreadPoolThread));
            var live = GetDispatcher(host).GetConnections();
            Assert.Equal(3, live.Count);
            Assert.All(live, c => Assert.Null(c.Thread));
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }
}
