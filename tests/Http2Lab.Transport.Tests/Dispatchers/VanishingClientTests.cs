using System.Text;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// A client that disappears in the middle of a request — it has sent more than the server can echo into its unread
/// receive buffer, the server is blocked writing to it, and it resets or closes without reading — never stalls the
/// others, and its connection is cleaned up.
/// </summary>
public sealed class VanishingClientTests
{
    public static TheoryData<string, bool, bool> Cases()
    {
        var cases = new TheoryData<string, bool, bool>();
        foreach (object[] row in AllWithTls)
        {
            cases.Add((string)row[0], (bool)row[1], true);
            cases.Add((string)row[0], (bool)row[1], false);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_client_that_vanishes_mid_request_never_stalls_the_others(string dispatcher, bool tls, bool reset)
    {
        var log = new TestLog();
        var host = Build(dispatcher, tls, log: log);
        try
        {
            var url = await StartAsync(host);
            var rude = await EchoClient.ConnectAsync(url, tls, socketBuffers: 64 * 1024);
            Task<LineClient> politeConnecting;
            if (dispatcher == SingleClient)
            {
                // One client at a time: the rude one is being served; the polite one waits its turn (plain: it has
                // already talked; TLS: its handshake is what waits).
                Assert.Equal("first\r\n", await EchoLineAsync(rude, "first"));
                politeConnecting = ConnectLinesAsync(url, tls);
                if (!tls)
                {
                    await (await politeConnecting).SendAsync("waiting\n");
                }
            }
            else
            {
                politeConnecting = ConnectLinesAsync(url, tls);
                var connected = await politeConnecting;
                await connected.SendAsync("before\n");
                Assert.Equal("before", await connected.ReadLineAsync());
            }

            // Mid-request: 2 MB of lines ending in a partial line, not read back. The server fills the rude client's
            // receive buffer and blocks (or waits) writing to it.
            var flood = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("a line that is never read back\n", 70_000)) + "partial li");
            var sending = rude.SendInPiecesAsync(flood);
            await WaitUntilAsync(() => rude.Socket.Available > 32 * 1024 || sending.IsFaulted, "the server to echo into the rude client's buffer");

            if (reset)
            {
                rude.Reset();
            }
            else
            {
                await rude.DisposeAsync(); // close without reading (with unread data, the kernel resets too)
            }

            try
            {
                await sending.WaitAsync(TransportTestHost.Timeout); // its pending send fails (or had finished); that is all
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
            {
            }

            await using var polite = await politeConnecting.WaitAsync(TransportTestHost.Timeout);
            if (dispatcher == SingleClient && !tls)
            {
                Assert.Equal("waiting", await polite.ReadLineAsync());
            }

            await polite.SendAsync("after\n");
            Assert.Equal("after", await polite.ReadLineAsync());

            var dispatcherInstance = GetDispatcher(host);
            await WaitUntilAsync(() => dispatcherInstance.GetConnections().Count == 1, "the vanished client's connection to be cleaned up");
            Assert.Equal(polite.Socket.LocalEndPoint!.ToString(), Assert.Single(dispatcherInstance.GetConnections()).RemoteEndPoint!.ToString());
            Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Error);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    private static async Task<string> EchoLineAsync(EchoClient client, string line)
    {
        await client.SendAsync(line + "\n");
        return await client.ReadTextAsync(line.Length + 2);
    }
}
