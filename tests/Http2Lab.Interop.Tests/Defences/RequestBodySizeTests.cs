using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:MaxRequestBodySize: a declared content-length over it is answered 413 without running the handler; a body
/// that grows past it is reset with CANCEL. Either way only that stream: the connection serves on.
/// </summary>
public class RequestBodySizeTests
{
    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["MaxRequestBodySize"] = "1000",
    };

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_content_length_over_the_limit_gets_413_and_the_connection_serves_on(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            int upload = await client.SendRequestAsync("POST", "/upload", endStream: false, ("content-length", "5000"));
            (int status, byte[] _, Http2ErrorCode? reset) = await client.ReadResponseAsync(upload, Bounds.Prompt);
            Assert.True(status == 413 && reset is null, $"status {status}, reset {reset}; {client.Describe()}\n{host.Log.Tail()}");

            int next = await client.SendRequestAsync("GET", "/");
            (status, _, reset) = await client.ReadResponseAsync(next, Bounds.Prompt);
            Assert.True(status == 200 && reset is null, $"status {status}, reset {reset}; {client.Describe()}");
        }

        await host.AssertServesNewClientAsync();
    }

    [Theory]
    [MemberData(nameof(Dispatchers.All), MemberType = typeof(Dispatchers))]
    public async Task A_body_that_grows_past_the_limit_is_reset_with_CANCEL_and_the_connection_serves_on(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        await using (WireClient client = await host.ConnectAndHandshakeAsync())
        {
            int upload = await client.SendRequestAsync("POST", "/upload", endStream: false); // no content-length
            await client.SendDataAsync(upload, new byte[800], endStream: false);
            await client.SendDataAsync(upload, new byte[800], endStream: false);
            (int status, byte[] _, Http2ErrorCode? reset) = await client.ReadResponseAsync(upload, Bounds.Prompt);
            Assert.True(status == 0 && reset == Http2ErrorCode.Cancel, $"status {status}, reset {reset}; {client.Describe()}\n{host.Log.Tail()}");

            int next = await client.SendRequestAsync("GET", "/");
            (status, _, reset) = await client.ReadResponseAsync(next, Bounds.Prompt);
            Assert.True(status == 200 && reset is null, $"status {status}, reset {reset}; {client.Describe()}");
        }

        await host.AssertServesNewClientAsync();
    }
}
