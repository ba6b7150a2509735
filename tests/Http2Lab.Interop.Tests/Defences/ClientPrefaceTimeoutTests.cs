using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:ClientPrefaceTimeout: a client that does not send the connection preface and its SETTINGS in time gets
/// GOAWAY PROTOCOL_ERROR and is closed (RFC 9113 §3.4: the preface is a protocol requirement).
/// </summary>
public class ClientPrefaceTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["ClientPrefaceTimeout"] = "00:00:01",
    };

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_stops_inside_the_preface_gets_GOAWAY_PROTOCOL_ERROR_and_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAsync())
        {
            client.AckSettings = false; // it has not sent its own SETTINGS: an ACK first would be a different error
            await client.WriteAsync(Http2Constants.ClientPreface[..16].ToArray()); // "PRI * HTTP/2.0\r\n" and no more
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.ProtocolError, "ClientPrefaceTimeout", since, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_sends_the_preface_but_no_SETTINGS_gets_GOAWAY_PROTOCOL_ERROR_and_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAsync())
        {
            client.AckSettings = false; // it has not sent its own SETTINGS: an ACK first would be a different error
            await client.WriteAsync(Http2Constants.ClientPreface.ToArray());
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.ProtocolError, "ClientPrefaceTimeout", since, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }

    /// <summary>
    /// A connection that sends nothing at all. SingleClient over h2c is the exception by design: it serves only clients
    /// that have started talking, so a silent socket never reaches HTTP/2; it is closed (without GOAWAY, nothing having
    /// been said) after the HandshakeTimeout, set to the same second here.
    /// </summary>
    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_sends_nothing_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits,
            new Dictionary<string, string?> { ["HandshakeTimeout"] = "00:00:01" });
        await using (WireClient client = await host.ConnectAsync())
        {
            client.AckSettings = false; // it has not sent its own SETTINGS: an ACK first would be a different error
            var since = Stopwatch.StartNew();
            if (dispatcher == Dispatchers.SingleClient && !tls)
            {
                ConnectionEnd end = await host.ReadUntilClosedAsync(client, since, Bounds.After(Timeout));
                Assert.Empty(end.Frames);
            }
            else
            {
                await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.ProtocolError, "ClientPrefaceTimeout", since, Bounds.After(Timeout));
            }
        }

        await host.AssertServesNewClientAsync();
    }
}
