using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>The echo protocol with many clients on every dispatcher: at once where the dispatcher allows it, else one after the other.</summary>
public sealed class EchoClientsTests
{
    private const int LinesPerClient = 20;

    [Theory]
    [MemberData(nameof(ConcurrentWithTls), MemberType = typeof(DispatcherTestHost))]
    public async Task Many_concurrent_clients_each_get_their_own_lines_back(string dispatcher, bool tls)
    {
        const int clients = 24;
        var log = new TestLog();
        var host = Build(dispatcher, tls, log: log);
        try
        {
            var url = await StartAsync(host);

            // All connected before any talks, so they are really served at the same time.
            var connected = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => ConnectLinesAsync(url, tls)));
            (int Client, List<string?> Echoed)[] results;
            try
            {
                results = await Task.WhenAll(connected.Select((client, c) => ConverseAsync(client, c)))
                    .WaitAsync(TransportTestHost.Timeout);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                // Seen once under a loaded machine (a client's connection closed by the server): keep the evidence.
                throw new IOException($"{ex.Message}\nServer log:\n{string.Join('\n', log.Messages)}", ex);
            }

            foreach (var (c, echoed) in results)
            {
                Assert.Equal(Enumerable.Range(0, LinesPerClient).Select(i => $"client {c} line {i}"), echoed);
            }

            await WaitUntilAsync(() => GetDispatcher(host).GetConnections().Count == 0, "every connection to end");
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task On_SingleClient_clients_one_after_the_other_each_get_their_own_lines_back(bool tls)
    {
        const int clients = 8;
        var host = Build(SingleClient, tls);
        try
        {
            var url = await StartAsync(host);
            for (var c = 0; c < clients; c++)
            {
                var (_, echoed) = await ConverseAsync(await ConnectLinesAsync(url, tls), c);
                Assert.Equal(Enumerable.Range(0, LinesPerClient).Select(i => $"client {c} line {i}"), echoed);
            }
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    /// <summary>Sends lines one at a time, reading each echo, then quits; returns what came back.</summary>
    private static async Task<(int Client, List<string?> Echoed)> ConverseAsync(LineClient client, int c)
    {
        await using var _ = client;
        var echoed = new List<string?>();
        for (var i = 0; i < LinesPerClient; i++)
        {
            await client.SendAsync($"client {c} line {i}\r\n");
            echoed.Add(await client.ReadLineAsync());
        }

        await client.SendAsync("quit\r\n");
        Assert.Equal("", await client.ReadToEndAsync());
        return (c, echoed);
    }
}
