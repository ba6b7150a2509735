using System.Net.Sockets;
using Http2Lab.Http2.Frames;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>Limits:KeepAliveTimeout closes idle connections, never busy ones.</summary>
public class KeepAliveTimeoutTests
{
    /// <summary>
    /// The cleartext endpoint of every dispatcher but SingleClient: the timeout runs off each dispatcher's heartbeat.
    /// SingleClient by design serves nobody until they talk (a silent connection waits, unserved, and is dropped
    /// after the handshake timeout), so a client that sends nothing never reaches the protocol's keep-alive timeout.
    /// </summary>
    public static TheoryData<string> EndpointsServingSilentClients()
    {
        var data = new TheoryData<string>();
        foreach (ServerEndpoint endpoint in ServerMatrix.All.Where(e => !e.Tls && e.Dispatcher != ServerMatrix.SingleClient))
        {
            data.Add(endpoint.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EndpointsServingSilentClients))]
    public async Task A_client_that_connects_and_sends_nothing_gets_goaway_and_is_closed(string endpoint)
    {
        await using TestServer server = await TestServer.StartAsync(limits => limits.KeepAliveTimeout = TimeSpan.FromSeconds(1), endpoints: [endpoint]);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Url(endpoint).Port);
        NetworkStream stream = tcp.GetStream();

        // Everything the server sends until it closes: SETTINGS, WINDOW_UPDATE, then GOAWAY.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        List<(FrameType Type, byte[] Payload)> frames = Parse(received.ToArray());
        Assert.Equal(FrameType.Settings, frames[0].Type);
        (FrameType type, byte[] payload) = frames[^1];
        Assert.Equal(FrameType.GoAway, type);
        Assert.Equal(0u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4))); // NO_ERROR
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.CleartextEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_connection_with_a_request_in_flight_is_not_closed(string endpoint)
    {
        await using TestServer server = await TestServer.StartAsync(limits => limits.KeepAliveTimeout = TimeSpan.FromMilliseconds(500), endpoints: [endpoint]);
        using var client = new Http2TestClient(server.Url(endpoint));
        using HttpResponseMessage response = await client.Client.GetAsync("/slow?ms=1500");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("waited 1500 ms\n", await response.Content.ReadAsStringAsync());
    }

    private static List<(FrameType, byte[])> Parse(byte[] octets)
    {
        var frames = new List<(FrameType, byte[])>();
        for (int at = 0; at + Http2Constants.FrameHeaderLength <= octets.Length;)
        {
            FrameHeader header = FrameHeader.Read(octets.AsSpan(at));
            at += Http2Constants.FrameHeaderLength;
            frames.Add((header.Type, octets.AsSpan(at, header.PayloadLength).ToArray()));
            at += header.PayloadLength;
        }

        return frames;
    }
}
