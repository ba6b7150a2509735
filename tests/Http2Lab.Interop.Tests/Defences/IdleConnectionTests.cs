using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>Limits:KeepAliveTimeout: a connection with no open stream that stays idle gets GOAWAY NO_ERROR and is closed.</summary>
public class IdleConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task An_idle_connection_gets_GOAWAY_NO_ERROR_and_is_closed(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["KeepAliveTimeout"] = "00:00:01",
        });
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            int request = await client.SendRequestAsync("GET", "/");
            (int status, byte[] _, Http2ErrorCode? reset) = await client.ReadResponseAsync(request, Bounds.Prompt);
            Assert.True(status == 200 && reset is null, $"status {status}, reset {reset}; {client.Describe()}");

            var since = Stopwatch.StartNew(); // idle from here
            ConnectionEnd end = await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.NoError, reason: null, since, Bounds.After(Timeout));
            Assert.Equal(request, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(end.GoAway!.Payload) & 0x7FFF_FFFF); // last stream id
        }

        await host.AssertServesNewClientAsync();
    }
}
