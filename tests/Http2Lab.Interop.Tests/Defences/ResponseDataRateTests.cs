using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:MinResponseDataRate with Limits:DataRateGracePeriod, the flow-control half: a client that reads its socket
/// but does not open a stream's window has that stream reset with CANCEL; the connection serves on. (The socket half —
/// a client that does not read at all — is in <see cref="NonReadingClientTests"/>.)
/// </summary>
/// <remarks>
/// The rate is an average over the time the stream waited (as Kestrel's): octets the client took before its window
/// closed count in its favour, so a stall after N octets is reset once N / rate has passed, and never before the grace
/// period. The stated time is therefore max(grace, N / rate).
/// </remarks>
public class ResponseDataRateTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_response_whose_window_never_opens_is_reset_with_CANCEL(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["MinResponseDataRate"] = "240",
            ["DataRateGracePeriod"] = "00:00:01",
        });
        await using (WireClient client = await host.ConnectAsync())
        {
            await client.HandshakeAsync([new(SettingsParameter.InitialWindowSize, 0)]); // every stream's window starts at zero
            int download = await client.SendRequestAsync("GET", "/download?bytes=1048576");
            var since = Stopwatch.StartNew();
            await AssertResetAsync(host, client, download, Http2ErrorCode.Cancel, since, Bounds.After(Grace));

            // Streams opened with a window serve on.
            await client.WriteAsync(output => FrameWriter.WriteSettings(output, [new(SettingsParameter.InitialWindowSize, Http2Constants.DefaultInitialWindowSize)]));
            await AssertServesOnAsync(client);
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_response_whose_window_stays_at_zero_after_the_first_64_KiB_is_reset_with_CANCEL(string dispatcher, bool tls)
    {
        const int rate = 32 * 1024; // the 65535 octets taken before the stall count for 2 s at this rate
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, new Dictionary<string, string?>
        {
            ["MinResponseDataRate"] = $"{rate}",
            ["DataRateGracePeriod"] = "00:00:01",
        });
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            client.AutoWindowUpdate = false; // the stream's window (and the connection's) is spent after 65535 octets
            int download = await client.SendRequestAsync("GET", "/download?bytes=1048576");
            long received = 0;
            while (received < Http2Constants.DefaultInitialWindowSize)
            {
                Frame data = await client.ReadUntilAsync(f => f.StreamId == download && f.Type is FrameType.Data or FrameType.RstStream, Bounds.Read);
                Assert.True(data.Type == FrameType.Data, $"reset before the window was used up: {client.Describe()}");
                received += data.Payload.Length;
            }

            var since = Stopwatch.StartNew(); // the window is zero from here
            TimeSpan stated = TimeSpan.FromSeconds(Math.Max(Grace.TotalSeconds, (double)received / rate));
            await AssertResetAsync(host, client, download, Http2ErrorCode.Cancel, since, Bounds.After(stated));

            // The connection's window is spent too, so nothing more can be answered on it; opening it serves on.
            await client.WriteAsync(output => FrameWriter.WriteWindowUpdate(output, 0, 1024 * 1024));
            await AssertServesOnAsync(client);
        }

        await host.AssertServesNewClientAsync();
    }

    private static async Task AssertResetAsync(DefenceHost host, WireClient client, int streamId, Http2ErrorCode expected, Stopwatch since, TimeSpan bound)
    {
        Frame reset;
        try
        {
            reset = await client.ReadUntilAsync(f => f.StreamId == streamId && f.Type is FrameType.RstStream || f.Type == FrameType.GoAway,
                TimeSpan.FromMilliseconds(Math.Max(1, (bound - since.Elapsed).TotalMilliseconds)));
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"Stream {streamId} was not reset within {bound.TotalSeconds:0.#} s. {ex.Message}\n{host.Log.Tail()}");
        }

        Assert.True(reset.Type == FrameType.RstStream && reset.ErrorCode == expected, $"{reset}, expected RST_STREAM {expected}; {client.Describe()}\n{host.Log.Tail()}");
        Assert.True(since.Elapsed < bound, $"reset after {since.Elapsed.TotalSeconds:0.0} s, bound {bound.TotalSeconds:0.#} s");
    }

    private static async Task AssertServesOnAsync(WireClient client)
    {
        client.AutoWindowUpdate = true;
        int next = await client.SendRequestAsync("GET", "/");
        (int status, byte[] _, Http2ErrorCode? reset) = await client.ReadResponseAsync(next, Bounds.Prompt);
        Assert.True(status == 200 && reset is null, $"status {status}, reset {reset}; {client.Describe()}");
    }
}
