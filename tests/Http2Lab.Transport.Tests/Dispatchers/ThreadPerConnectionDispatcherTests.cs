using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>The ThreadPerConnection dispatcher: an accept thread, and one named thread per connection that ends with it.</summary>
public sealed class ThreadPerConnectionDispatcherTests
{
    [Fact]
    public async Task Each_connection_runs_on_a_thread_of_its_own_that_ends_with_it()
    {
        const int clients = 4;
        var probe = new ThreadProbe();
        var host = Build(ThreadPerConnection, protocol: "ThreadProbe", services: probe.Register());
        try
        {
            var url = await StartAsync(host);
            var dispatcher = GetDispatcher(host);
            var connected = new List<LineClient>();
            var threadOf = new Dictionary<LineClient, (int Id, bool Pool, string Name)>();
            for (var i = 0; i < clients; i++)
            {
                var client = await LineClient.ConnectAsync(url);
                connected.Add(client);
                await client.SendAsync("who\n");
                threadOf[client] = ThreadProbe.Parse(await client.ReadLineAsync());
            }

            // All connected at once, each asks again: every connection stays on its own thread for its whole life.
            foreach (var client in connected)
            {
                await client.SendAsync("who again\n");
                Assert.Equal(threadOf[client], ThreadProbe.Parse(await client.ReadLineAsync()));
            }

            var threads = threadOf.Values.ToList();
            Assert.Equal(clients, threads.Select(t => t.Id).Distinct().Count());
            Assert.Equal(clients, threads.Select(t => t.Name).Distinct().Count());
            Assert.All(threads, t =>
            {
                Assert.False(t.Pool);
                Assert.StartsWith($"Http2Lab {Endpoint} #", t.Name);
            });

            // GetConnections lists each live connection with the name of the thread that runs it.
            var live = dispatcher.GetConnections();
            Assert.Equal(clients, live.Count);
            Assert.Equal(clients, live.Select(c => c.Thread).Distinct().Count());
            foreach (var client in connected)
            {
                var info = Assert.Single(live, c => c.RemoteEndPoint!.ToString() == client.Socket.LocalEndPoint!.ToString());
                Assert.Equal(threadOf[client].Name, info.Thread);
            }

            // Closing a connection ends its thread; the others live on.
            await connected[0].SendAsync("quit\n");
            Assert.Equal("", await connected[0].ReadToEndAsync());
            var firstThread = Assert.Single(probe.Threads, t => t.ManagedThreadId == threadOf[connected[0]].Id);
            await WaitUntilAsync(() => !firstThread.IsAlive, "the closed connection's thread to end");
            await WaitUntilAsync(() => dispatcher.GetConnections().Count == clients - 1, "the closed connection to leave the list");
            Assert.DoesNotContain(dispatcher.GetConnections(), c => c.Thread == threadOf[connected[0]].Name);
            await connected[1].SendAsync("still here\n");
            Assert.Equal(threadOf[connected[1]], ThreadProbe.Parse(await connected[1].ReadLineAsync()));

            foreach (var client in connected.Skip(1))
            {
                await client.DisposeAsync(); // the client closes; its connection (and thread) end
            }

            await WaitUntilAsync(() => dispatcher.GetConnections().Count == 0, "every connection to end");
            await WaitUntilAsync(() => probe.Threads.All(t => !t.IsAlive), "every connection thread to end");
            Assert.Equal(clients, probe.Threads.Count);
            await connected[0].DisposeAsync();
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }
}
