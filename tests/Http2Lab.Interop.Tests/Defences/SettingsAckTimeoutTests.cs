using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:SettingsAckTimeout: a client that never acknowledges the server's SETTINGS gets GOAWAY SETTINGS_TIMEOUT
/// (RFC 9113 §6.5.3) and is closed.
/// </summary>
public class SettingsAckTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_client_that_never_acknowledges_SETTINGS_gets_GOAWAY_SETTINGS_TIMEOUT_and_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["SettingsAckTimeout"] = "00:00:01",
        });
        await using (WireClient client = await host.ConnectAsync())
        {
            client.AckSettings = false;
            await client.HandshakeAsync(); // our preface and SETTINGS; the server's SETTINGS read, never acknowledged
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.SettingsTimeout, "SETTINGS not acknowledged", since, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }
}
