using System.Buffers;
using System.Diagnostics;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:RequestHeadersTimeout: a field block that is not finished in time — HEADERS whose CONTINUATION never comes,
/// or a HEADERS frame cut short — gets GOAWAY ENHANCE_YOUR_CALM and the connection is closed (nothing else can be
/// processed on it while a field block is open, RFC 9113 §6.10).
/// </summary>
public class RequestHeadersTimeoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["RequestHeadersTimeout"] = "00:00:01",
    };

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task HEADERS_without_END_HEADERS_and_no_CONTINUATION_gets_GOAWAY_ENHANCE_YOUR_CALM(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            await client.WriteAsync(output => client.WriteRequest(output, "GET", "/", endStream: true, endHeaders: false));
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.EnhanceYourCalm, "RequestHeadersTimeout", since, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_HEADERS_frame_cut_short_gets_GOAWAY_ENHANCE_YOUR_CALM(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            var frame = new ArrayBufferWriter<byte>();
            client.WriteRequest(frame, "GET", "/", endStream: true, endHeaders: true, ("user-agent", "a-slow-client"));
            await client.WriteAsync(frame.WrittenMemory[..(Http2Constants.FrameHeaderLength + 5)]); // the frame header and 5 octets of its block
            var since = Stopwatch.StartNew();
            await host.AssertGoAwayAndCloseAsync(client, Http2ErrorCode.EnhanceYourCalm, "RequestHeadersTimeout", since, Bounds.After(Timeout));
        }

        await host.AssertServesNewClientAsync();
    }
}
