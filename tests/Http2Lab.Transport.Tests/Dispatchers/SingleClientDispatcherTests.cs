using System.Net.Sockets;
using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// The SingleClient dispatcher: one client at a time, on one thread, in the order clients start talking. An echo
/// client is never idle, so it is served until it closes; an idle client (HTTP/2 between requests) is asked to close
/// when another is waiting.
/// </summary>
public sealed class SingleClientDispatcherTests
{
    // Once long enough for at least one heartbeat (1 s) to pass while the second client waits — a heartbeat is when
    // a served client that is idle would be asked to yield, and an echo client must not be — and once short.
    private static TimeSpan WhileTheFirstIsOpen(bool acrossAHeartbeat) => TimeSpan.FromMilliseconds(acrossAHeartbeat ? 1_500 : 300);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_second_client_is_answered_only_after_the_first_closes(bool firstQuits)
    {
        var log = new TestLog();
        var host = Build(SingleClient, log: log);
        try
        {
            var url = await StartAsync(host);
            var first = await LineClient.ConnectAsync(url);
            await first.SendAsync("first 1\n");
            Assert.Equal("first 1", await first.ReadLineAsync());

            await using var second = await LineClient.ConnectAsync(url);
            await second.SendAsync("second 1\n");

            // While the first is open, the second gets nothing (no echo, no close), even across a heartbeat...
            Assert.False(second.Socket.Poll(WhileTheFirstIsOpen(acrossAHeartbeat: firstQuits), SelectMode.SelectRead), "the second client got an answer while the first was open");

            // ...and the first is still served: an echo client is never idle, so it is not asked to make room.
            await first.SendAsync("first 2\n");
            Assert.Equal("first 2", await first.ReadLineAsync());
            Assert.DoesNotContain(log.Messages, m => m.Contains("is idle and another client is waiting"));
            Assert.False(second.Socket.Poll(TimeSpan.Zero, SelectMode.SelectRead));

            if (firstQuits)
            {
                await first.SendAsync("quit\n");
                Assert.Equal("", await first.ReadToEndAsync());
            }

            await first.DisposeAsync(); // the client closes (FIN) if it did not quit

            // Right after the first closed, the second is answered (what it sent meanwhile was kept, not lost).
            Assert.Equal("second 1", await second.ReadLineAsync());
            await second.SendAsync("second 2\n");
            Assert.Equal("second 2", await second.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task A_connection_that_says_nothing_does_not_hold_up_one_that_talks()
    {
        var host = Build(SingleClient);
        try
        {
            var url = await StartAsync(host);
            await using var silent = await LineClient.ConnectAsync(url);
            await using var talker = await LineClient.ConnectAsync(url);

            // Connected first, but silent: the client that talks first is served first.
            await talker.SendAsync("talking\n");
            Assert.Equal("talking", await talker.ReadLineAsync());

            // Now the silent one talks, while the talker is still served: it waits its turn...
            await silent.SendAsync("my turn?\n");
            await talker.SendAsync("still me\n");
            Assert.Equal("still me", await talker.ReadLineAsync());
            Assert.False(silent.Socket.Poll(TimeSpan.FromMilliseconds(300), SelectMode.SelectRead));

            // ...which comes when the talker quits.
            await talker.SendAsync("quit\n");
            Assert.Equal("", await talker.ReadToEndAsync());
            Assert.Equal("my turn?", await silent.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task An_idle_client_is_asked_to_close_when_another_is_waiting_and_all_run_on_one_thread()
    {
        var log = new TestLog();
        var probe = new ThreadProbe();
        var host = Build(SingleClient, protocol: "IdleProbe", log: log, services: probe.Register("IdleProbe", idleBetweenLines: true));
        try
        {
            var url = await StartAsync(host);
            await using var first = await LineClient.ConnectAsync(url);
            await first.SendAsync("who\n");
            var firstThread = ThreadProbe.Parse(await first.ReadLineAsync());

            // The first is between requests (idle): a waiting client makes the dispatcher ask it to close.
            await using var second = await LineClient.ConnectAsync(url);
            await second.SendAsync("who\n");
            Assert.Equal("bye", await first.ReadLineAsync());
            Assert.Equal("", await first.ReadToEndAsync());
            var secondThread = ThreadProbe.Parse(await second.ReadLineAsync());
            await log.WaitForAsync(m => m.Contains("is idle and another client is waiting: asking it to close"), TransportTestHost.Timeout);

            // One thread serves every client, one after the other: the dispatcher's own (not the thread pool).
            Assert.Equal(firstThread, secondThread);
            Assert.Equal($"Http2Lab single-client {Endpoint}", firstThread.Name);
            Assert.False(firstThread.Pool);
            Assert.Single(probe.Threads);
            var live = Assert.Single(GetDispatcher(host).GetConnections());
            Assert.Equal(second.Socket.LocalEndPoint!.ToString(), live.RemoteEndPoint!.ToString());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }
}
