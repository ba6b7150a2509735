using System.Net.Sockets;
using System.Text;
using Http2Lab.Transport.Tests.Infrastructure;

namespace Http2Lab.Transport.Tests;

/// <summary>The echo protocol on an http:// endpoint served by the Async dispatcher, over real loopback sockets.</summary>
public sealed class EchoOverPlainTcpTests : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private Microsoft.Extensions.Hosting.IHost _host = null!;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _host = TransportTestHost.BuildSingle("echo", "http://127.0.0.1:0", log: _log);
        _url = await TransportTestHost.StartAsync(_host, "echo");
    }

    public Task DisposeAsync() => TransportTestHost.StopAndDisposeAsync(_host);

    [Fact]
    public async Task Bound_url_has_a_real_port_and_is_logged()
    {
        Assert.Equal("http", _url.Scheme);
        Assert.Equal("127.0.0.1", _url.Host);
        Assert.NotEqual(0, _url.Port);
        await _log.WaitForAsync(
            m => m == $"Http2Lab endpoint 'echo' listening on http://127.0.0.1:{_url.Port} (dispatcher Async, protocol Echo)",
            TransportTestHost.Timeout);
    }

    [Fact]
    public async Task Lines_are_echoed_with_crlf_whatever_their_terminator()
    {
        await using var client = await LineClient.ConnectAsync(_url);

        await client.SendAsync("hello\r\nworld\n\r\n");
        Assert.Equal("hello", await client.ReadLineAsync());
        Assert.Equal("world", await client.ReadLineAsync());
        Assert.Equal("", await client.ReadLineAsync());

        // A line split across several TCP writes is echoed once it is complete.
        await client.SendAsync("par");
        await client.SendAsync("tial\r");
        await client.SendAsync("\n");
        Assert.Equal("partial", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Quit_closes_the_connection_after_echoing_earlier_lines()
    {
        await using var client = await LineClient.ConnectAsync(_url);

        await client.SendAsync("one\r\nquit\r\nnever echoed\r\n");

        Assert.Equal("one", await client.ReadLineAsync());
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Half_close_by_the_client_echoes_everything_pending_then_closes()
    {
        await using var client = await LineClient.ConnectAsync(_url);

        await client.SendAsync("first\nsecond\nunterminated");
        client.Socket.Shutdown(SocketShutdown.Send);

        Assert.Equal("first\r\nsecond\r\nunterminated\r\n", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Lines_longer_than_4096_octets_come_back_whole()
    {
        await using var client = await LineClient.ConnectAsync(_url);
        var longLine = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));

        // "quit" glued to the end of a long line is data, not the quit command.
        await client.SendAsync(longLine + "quit\r\nafter\r\n");

        Assert.Equal(longLine + "quit", await client.ReadLineAsync());
        Assert.Equal("after", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Many_concurrent_clients_each_get_their_own_lines_back()
    {
        const int clients = 50;
        const int linesPerClient = 20;

        var results = await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            await using var client = await LineClient.ConnectAsync(_url);
            var echoed = new List<string?>();
            for (var i = 0; i < linesPerClient; i++)
            {
                await client.SendAsync($"client {c} line {i}\r\n");
                echoed.Add(await client.ReadLineAsync());
            }

            await client.SendAsync("quit\r\n");
            Assert.Equal("", await client.ReadToEndAsync());
            return (c, echoed);
        })).WaitAsync(TransportTestHost.Timeout);

        foreach (var (c, echoed) in results)
        {
            Assert.Equal(Enumerable.Range(0, linesPerClient).Select(i => $"client {c} line {i}"), echoed);
        }
    }

    [Fact]
    public async Task A_client_that_resets_does_not_disturb_the_endpoint()
    {
        var rude = await LineClient.ConnectAsync(_url);
        await rude.SendAsync("bye\r\n");
        Assert.Equal("bye", await rude.ReadLineAsync());
        rude.Socket.LingerState = new LingerOption(true, 0); // Close with RST.
        await rude.DisposeAsync();

        await using var polite = await LineClient.ConnectAsync(_url);
        await polite.SendAsync("still here\r\n");
        Assert.Equal("still here", await polite.ReadLineAsync());
        Assert.DoesNotContain(_log.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Large_echo_traffic_is_not_corrupted()
    {
        await using var client = await LineClient.ConnectAsync(_url);
        var payload = new StringBuilder();
        for (var i = 0; i < 2_000; i++)
        {
            payload.Append("line ").Append(i).Append(" ").Append('x', i % 300).Append("\r\n");
        }

        // Send and read concurrently: the echo must not deadlock when both directions are full.
        var send = client.SendAsync(payload.ToString());
        var received = new StringBuilder();
        for (var i = 0; i < 2_000; i++)
        {
            received.Append(await client.ReadLineAsync()).Append("\r\n");
        }

        await send.WaitAsync(TransportTestHost.Timeout);
        Assert.Equal(payload.ToString(), received.ToString());
    }
}
