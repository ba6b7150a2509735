using System.Net.Sockets;
using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// The poll loop's TLS: one thread, the TLS engine on memory buffers, many clients. Whatever one client does to the
/// handshake, the others are served; large transfers survive many partial writes; the action trace explains a request.
/// </summary>
public sealed class PollTlsTests
{
    [Fact]
    public async Task A_client_stalled_mid_handshake_does_not_delay_the_others()
    {
        var host = Build(Poll, tls: true);
        try
        {
            var url = await StartAsync(host);
            using var stalled = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await stalled.ConnectAsync("127.0.0.1", url.Port);
            await stalled.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00 }); // a ClientHello's first octets, then nothing

            // The loop is not waiting on it: a second client completes its handshake and is echoed.
            await using var client = await ConnectLinesAsync(url, tls: true);
            await client.SendAsync("past the stalled one\n");
            Assert.Equal("past the stalled one", await client.ReadLineAsync());
            Assert.Equal(2, GetDispatcher(host).GetConnections().Count);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task Garbage_instead_of_a_client_hello_closes_only_that_client()
    {
        var log = new TestLog();
        var host = Build(Poll, tls: true, log: log);
        try
        {
            var url = await StartAsync(host);
            await using var other = await ConnectLinesAsync(url, tls: true);
            await other.SendAsync("before\n");
            Assert.Equal("before", await other.ReadLineAsync());

            await using (var plain = await LineClient.ConnectAsync(url))
            {
                await plain.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                Assert.True(await plain.IsClosedByServerAsync());
            }

            await log.WaitForAsync(m => m.Contains("TLS handshake with 127.0.0.1:") && m.Contains("failed"), TransportTestHost.Timeout);
            await other.SendAsync("after\n");
            Assert.Equal("after", await other.ReadLineAsync());
            Assert.DoesNotContain(log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task A_100_MB_exchange_survives_many_partial_writes_byte_for_byte()
    {
        var host = Build(Poll, tls: true, extra: new Dictionary<string, string?> { ["EchoMode"] = "Bytes" });
        try
        {
            var url = await StartAsync(host);
            // Small socket buffers: the server's writes are cut short over and over.
            await using var client = await EchoClient.ConnectAsync(url, tls: true, socketBuffers: 16 * 1024);
            byte[] payload = EchoBatch.RandomBytes(100 * 1024 * 1024, seed: 7);
            byte[] echoed = await client.EchoBatchAsync(payload, overall: TimeSpan.FromSeconds(60));
            EchoBatch.AssertSameBytes(payload, echoed);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task The_action_trace_shows_a_request_in_a_sensible_order()
    {
        var log = new TestLog();
        var host = Build(Poll, tls: true, log: log, extra: new Dictionary<string, string?> { ["PollTrace"] = "true" });
        try
        {
            var url = await StartAsync(host);
            await using (var client = await ConnectLinesAsync(url, tls: true))
            {
                await client.SendAsync("traced\n");
                Assert.Equal("traced", await client.ReadLineAsync());
            }

            await WaitUntilAsync(() => Actions(log).Contains("Close"), "the trace to record the close");
            List<string> actions = Actions(log);

            // The handshake reads the ClientHello and answers; the line is decrypted, consumed, encrypted, written;
            // the end of the client's input leads to our close_notify, written, then the close.
            AssertInOrder(actions, "ReadSocket", "WriteSocket", "ReadSocket", "Decrypt", "Receive", "Encrypt", "WriteSocket", "CloseNotify", "WriteSocket", "Close");
            Assert.All(log.Messages.Where(m => m.StartsWith("poll ")), m => Assert.Matches(@"^poll ep PL[0-9A-F]+ \w+ +\[read [+-] write .* tls ", m));
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    private static List<string> Actions(TestLog log) =>
        [.. log.Messages.Where(m => m.StartsWith("poll ")).Select(m => m.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3])];

    /// <summary>Each expected action appears after the previous one (others may come between).</summary>
    private static void AssertInOrder(List<string> actions, params string[] expected)
    {
        int at = 0;
        foreach (string action in expected)
        {
            int found = actions.IndexOf(action, at);
            Assert.True(found >= 0, $"'{action}' missing after position {at} in: {string.Join(", ", actions)}");
            at = found + 1;
        }
    }
}
