using System.Net;
using System.Net.Sockets;
using Http2Lab.Transport.Dispatchers.Poll;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// The Poll dispatcher: one thread, poll(2), non-blocking sockets; at most MaxClients clients (one more is accepted and
/// closed at once with a warning); PollTimeout and NoClientPollTimeout shut it down gracefully.
/// </summary>
public sealed class PollDispatcherTests
{
    [Theory]
    [InlineData(null, 10, "1")] // the default
    [InlineData("3", 3, "1")]
    [InlineData("3", 3, "2")] // the limit holds for the loops together
    public async Task One_client_more_than_MaxClients_is_closed_at_once_with_a_warning_and_the_others_are_still_served(string? configured, int maxClients, string loops)
    {
        var log = new TestLog();
        var host = Build(Poll, log: log, extra: new Dictionary<string, string?> { ["MaxClients"] = configured, ["Loops"] = loops });
        var clients = new List<LineClient>();
        try
        {
            var url = await StartAsync(host);
            for (var i = 0; i < maxClients; i++)
            {
                var client = await LineClient.ConnectAsync(url);
                clients.Add(client);
                await client.SendAsync($"client {i}\n");
                Assert.Equal($"client {i}", await client.ReadLineAsync()); // answered, so certainly accepted
            }

            // One more: accepted (the connect succeeds) and closed at once, without an answer.
            await using (var extra = await LineClient.ConnectAsync(url))
            {
                Assert.True(await extra.IsClosedByServerAsync());
            }

            var warning = await log.WaitForAsync(m => m.StartsWith($"Endpoint '{Endpoint}': closed 1 new connection(s) at once"), TransportTestHost.Timeout);
            Assert.Contains($"{maxClients} connections are open, the limit is {maxClients} (MaxClients;", warning);
            Assert.Contains(log.Entries, e => e.Message == warning && e.Level == LogLevel.Warning);

            // The clients being served are not disturbed.
            for (var i = 0; i < maxClients; i++)
            {
                await clients[i].SendAsync($"again {i}\n");
                Assert.Equal($"again {i}", await clients[i].ReadLineAsync());
            }

            Assert.Equal(maxClients, GetDispatcher(host).GetConnections().Count);

            // When one leaves, there is room again.
            await clients[0].SendAsync("quit\n");
            Assert.Equal("", await clients[0].ReadToEndAsync());
            await using var late = await LineClient.ConnectAsync(url);
            await late.SendAsync("room again\n");
            Assert.Equal("room again", await late.ReadLineAsync());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task With_one_loop_every_client_is_served_on_the_one_poll_thread()
    {
        var probe = new ThreadProbe();
        var host = Build(Poll, protocol: "ThreadProbe", services: probe.Register(), extra: new Dictionary<string, string?> { ["Loops"] = "1" });
        var clients = new List<LineClient>();
        try
        {
            var url = await StartAsync(host);
            var answers = new List<(int Id, bool Pool, string Name)>();
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await LineClient.ConnectAsync(url));
            }

            // Interleaved: all connected, each asks twice.
            for (var round = 0; round < 2; round++)
            {
                foreach (var client in clients)
                {
                    await client.SendAsync("who\n");
                    answers.Add(ThreadProbe.Parse(await client.ReadLineAsync()));
                }
            }

            var loop = Assert.Single(answers.Distinct());
            Assert.Equal($"Http2Lab poll {Endpoint}", loop.Name);
            Assert.False(loop.Pool);
            Assert.Single(probe.Threads);

            var live = GetDispatcher(host).GetConnections();
            Assert.Equal(4, live.Count);
            Assert.All(live, c => Assert.Equal(loop.Name, c.Thread));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task Two_loops_share_the_port_and_each_connection_stays_on_its_loop()
    {
        var probe = new ThreadProbe();
        var host = Build(Poll, protocol: "ThreadProbe", services: probe.Register(),
            extra: new Dictionary<string, string?> { ["Loops"] = "2", ["MaxClients"] = "32" });
        var clients = new List<LineClient>();
        try
        {
            var url = await StartAsync(host);
            var dispatcher = Assert.IsType<PollDispatcher>(GetDispatcher(host));
            Assert.Equal(2, dispatcher.LoopCount);
            Assert.True(dispatcher.LoopsShareThePort); // Linux has SO_REUSEPORT

            // The kernel picks a loop per connection by its addresses: 16 connections all on one loop has odds of 2^-15.
            var threadOf = new List<string>();
            for (var i = 0; i < 16; i++)
            {
                var client = await LineClient.ConnectAsync(url);
                clients.Add(client);
                await client.SendAsync("who\n");
                threadOf.Add(ThreadProbe.Parse(await client.ReadLineAsync()).Name);
            }

            Assert.Equal([$"Http2Lab poll {Endpoint} #1", $"Http2Lab poll {Endpoint} #2"], threadOf.Distinct().Order());

            // A connection lives on one loop: asked again, each answers from the same thread.
            for (var i = 0; i < clients.Count; i++)
            {
                await clients[i].SendAsync("who\n");
                Assert.Equal(threadOf[i], ThreadProbe.Parse(await clients[i].ReadLineAsync()).Name);
            }

            Assert.Equal(16, dispatcher.GetConnections().Count);
            Assert.Equal(2, probe.Threads.Count);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public async Task A_loop_count_out_of_range_is_a_start_up_error_naming_the_key(string loops)
    {
        var host = Build(Poll, extra: new Dictionary<string, string?> { ["Loops"] = loops });
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(host));
            Assert.Contains($"Http2Lab:Endpoints:{Endpoint}:Loops", error.Message);
        }
        finally
        {
            host.Dispose();
        }
    }

    [Fact]
    public async Task PollTimeout_shuts_the_dispatcher_down_gracefully_when_connected_clients_are_silent()
    {
        var log = new TestLog();
        var host = Build(Poll, log: log, extra: new Dictionary<string, string?> { ["PollTimeout"] = "00:00:01" });
        try
        {
            var url = await StartAsync(host);
            var dispatcher = Assert.IsType<PollDispatcher>(GetDispatcher(host));
            await using var silent = await LineClient.ConnectAsync(url);
            await using var talked = await LineClient.ConnectAsync(url);
            await talked.SendAsync("hello\n");
            Assert.Equal("hello", await talked.ReadLineAsync());

            // Then nobody says anything: the dispatcher asks both clients to close (echo: closes) and ends.
            Assert.Equal("", await talked.ReadToEndAsync());
            Assert.Equal("", await silent.ReadToEndAsync());
            await dispatcher.Completion.WaitAsync(TransportTestHost.Timeout);

            var line = await log.WaitForAsync(m => m.Contains("(PollTimeout, "), TransportTestHost.Timeout);
            Assert.Equal($"Endpoint '{Endpoint}': no traffic for 1 s (PollTimeout, 2 client(s)); the poll dispatcher shuts down gracefully", line);
            Assert.Contains(log.Entries, e => e.Message == line && e.Level == LogLevel.Information);
            Assert.Contains($"Endpoint '{Endpoint}': stopped accepting; asking 2 connection(s) to close", log.Messages);
            Assert.DoesNotContain(log.Messages, m => m.Contains("aborting"));
            Assert.Empty(dispatcher.GetConnections());
            await AssertNobodyListensAsync(url);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host); // stopping a dispatcher that already ended is fine
        }
    }

    [Fact]
    public async Task NoClientPollTimeout_shuts_the_dispatcher_down_when_no_client_comes()
    {
        var log = new TestLog();
        var host = Build(Poll, log: log, extra: new Dictionary<string, string?> { ["NoClientPollTimeout"] = "00:00:01" });
        try
        {
            var url = await StartAsync(host);
            var dispatcher = Assert.IsType<PollDispatcher>(GetDispatcher(host));

            await dispatcher.Completion.WaitAsync(TransportTestHost.Timeout);

            var line = await log.WaitForAsync(m => m.Contains("(NoClientPollTimeout, "), TransportTestHost.Timeout);
            Assert.Equal($"Endpoint '{Endpoint}': no traffic for 1 s (NoClientPollTimeout, 0 client(s)); the poll dispatcher shuts down gracefully", line);
            Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
            await AssertNobodyListensAsync(url);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task A_stop_completes_the_dispatcher_and_closes_its_clients()
    {
        var host = Build(Poll);
        var url = await StartAsync(host);
        var dispatcher = Assert.IsType<PollDispatcher>(GetDispatcher(host));
        await using var client = await LineClient.ConnectAsync(url);
        await client.SendAsync("before stop\n");
        Assert.Equal("before stop", await client.ReadLineAsync());
        Assert.False(dispatcher.Completion.IsCompleted);

        await TransportTestHost.StopAndDisposeAsync(host);

        Assert.True(dispatcher.Completion.IsCompletedSuccessfully);
        Assert.Equal("", await client.ReadToEndAsync());
        await AssertNobodyListensAsync(url);
    }

    private static async Task AssertNobodyListensAsync(Uri url)
    {
        using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, url.Port).WaitAsync(TransportTestHost.Timeout));
    }
}
