using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:MinRequestBodyDataRate with Limits:DataRateGracePeriod: a request body that stalls while its window is open
/// is reset — CANCEL while the handler still waits for it, NO_ERROR once the response is complete (RFC 9113 §8.1) —
/// and only that stream: the connection serves on.
/// </summary>
public class RequestBodyDataRateTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["MinRequestBodyDataRate"] = "240",
        ["DataRateGracePeriod"] = "00:00:01",
    };

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_stalled_request_body_is_reset_with_CANCEL_and_the_connection_serves_on(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            int upload = await client.SendRequestAsync("POST", "/upload", endStream: false);
            await client.SendDataAsync(upload, new byte[100], endStream: false); // 100 octets, then nothing
            var since = Stopwatch.StartNew();

            Frame reset = await client.ReadUntilAsync(f => f.StreamId == upload && f.Type is FrameType.RstStream or FrameType.Headers, Bounds.After(Grace));
            Assert.True(reset.Type == FrameType.RstStream && reset.ErrorCode == Http2ErrorCode.Cancel, $"{reset}; {client.Describe()}\n{host.Log.Tail()}");
            Assert.True(since.Elapsed < Bounds.After(Grace), $"reset after {since.Elapsed.TotalSeconds:0.0} s");

            int next = await client.SendRequestAsync("GET", "/");
            (int status, byte[] body, Http2ErrorCode? resetCode) = await client.ReadResponseAsync(next, Bounds.Prompt);
            Assert.True(status == 200 && resetCode is null, $"status {status}, reset {resetCode}; {client.Describe()}");
            Assert.Equal(DefenceRoutes.Hello, System.Text.Encoding.UTF8.GetString(body));
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_stalled_request_body_after_a_complete_response_is_reset_with_NO_ERROR(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            int early = await client.SendRequestAsync("POST", "/early", endStream: false); // no body ever follows
            var since = Stopwatch.StartNew();
            (int status, byte[] _, Http2ErrorCode? resetCode) = await client.ReadResponseAsync(early, Bounds.Prompt);
            Assert.True(status == 200 && resetCode is null, $"status {status}, reset {resetCode}; {client.Describe()}");

            Frame reset = await client.ReadUntilAsync(f => f.StreamId == early && f.Type == FrameType.RstStream, Bounds.After(Grace));
            Assert.True(reset.ErrorCode == Http2ErrorCode.NoError, $"{reset}; {client.Describe()}\n{host.Log.Tail()}");
            Assert.True(since.Elapsed < Bounds.After(Grace), $"reset after {since.Elapsed.TotalSeconds:0.0} s");

            int next = await client.SendRequestAsync("GET", "/");
            (status, _, resetCode) = await client.ReadResponseAsync(next, Bounds.Prompt);
            Assert.True(status == 200 && resetCode is null, $"status {status}, reset {resetCode}; {client.Describe()}");
        }

        await host.AssertServesNewClientAsync();
    }
}
