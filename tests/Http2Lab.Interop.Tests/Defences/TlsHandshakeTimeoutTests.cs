using System.Diagnostics;
using System.Net.Sockets;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// HandshakeTimeout: a TLS client that does not complete its handshake in time — silent, or stopping inside its
/// ClientHello — is closed (there is no HTTP/2 yet, so no GOAWAY: the TCP connection ends).
/// </summary>
public class TlsHandshakeTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["HandshakeTimeout"] = "00:00:01",
    };

    [Theory]
    [MemberData(nameof(Dispatchers.Tls), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_never_starts_the_handshake_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, settings: Settings);
        using (Socket client = await WireClient.ConnectSocketAsync(host.Url))
        {
            await AssertClosedWithin(host, client, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.Tls), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_stops_inside_its_ClientHello_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, settings: Settings);
        using (Socket client = await WireClient.ConnectSocketAsync(host.Url))
        {
            // A TLS record header announcing a 512-octet handshake message, and its first octet (ClientHello).
            await client.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 });
            await AssertClosedWithin(host, client, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }

    private static async Task AssertClosedWithin(DefenceHost host, Socket client, TimeSpan bound)
    {
        var since = Stopwatch.StartNew();
        try
        {
            (long octets, string reason) = await WireClient.ReadSocketUntilClosedAsync(client, bound);
            Assert.True(since.Elapsed < bound, $"closed ({reason}, {octets} octets) after {since.Elapsed.TotalSeconds:0.0} s");
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message}\n{host.Log.Tail()}");
        }
    }
}
