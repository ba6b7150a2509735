using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:MaxPingsPerSecond, MaxSettingsPerSecond, MaxResetStreamsPerSecond: frames that each cost the server work (an
/// ACK, a stream set up and torn down — rapid reset, CVE-2023-44487) sent faster than allowed get GOAWAY
/// ENHANCE_YOUR_CALM and the connection is closed at once.
/// </summary>
public class FloodTests
{
    private const int Rate = 10;
    private const int Flood = 50;

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_PING_flood_gets_GOAWAY_ENHANCE_YOUR_CALM(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["MaxPingsPerSecond"] = $"{Rate}",
        });
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            await client.WriteAsync(output =>
            {
                for (int i = 0; i < Flood; i++)
                {
                    FrameWriter.WritePing(output, (ulong)i, ack: false);
                }
            });
            var since = Stopwatch.StartNew();
            ConnectionEnd end = await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.EnhanceYourCalm, "PINGs per second", since, Bounds.Prompt);
            Assert.InRange(end.Frames.Count(f => f.Type == FrameType.Ping && f.IsAck), Rate, Rate + 1); // the burst allowed, then no more
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_SETTINGS_flood_gets_GOAWAY_ENHANCE_YOUR_CALM(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["MaxSettingsPerSecond"] = $"{Rate}",
        });
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            await client.WriteAsync(output =>
            {
                for (int i = 0; i < Flood; i++)
                {
                    FrameWriter.WriteSettings(output, []);
                }
            });
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.EnhanceYourCalm, "SETTINGS per second", since, Bounds.Prompt);
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task Rapid_reset_gets_GOAWAY_ENHANCE_YOUR_CALM(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["MaxResetStreamsPerSecond"] = $"{Rate}",
        });
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            await client.WriteAsync(output =>
            {
                for (int i = 0; i < Flood; i++)
                {
                    int stream = client.WriteRequest(output, "GET", "/slow?ms=10000", endStream: true);
                    FrameWriter.WriteRstStream(output, stream, Http2ErrorCode.Cancel);
                }
            });
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.EnhanceYourCalm, "too many streams reset", since, Bounds.Prompt);
        }

        await host.AssertServesNewClientAsync();
    }
}
