using System.Net;
using System.Net.Sockets;
using Http2Lab.Http2.Frames;
using Http2Lab.Testing;

namespace Http2Lab.Client.Tests;

/// <summary>
/// RFC 9113 §6.8 and §8.7 end to end, against a scripted server: requests above the last stream id of a GOAWAY were
/// not processed, so the client sends them again on a new connection.
/// </summary>
public sealed class ClientGoAwayRetryTests
{
    [Fact]
    public async Task Requests_above_the_GOAWAY_last_stream_id_are_retried_on_a_new_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Connection 1 takes three requests, answers the first and refuses the rest with GOAWAY (last stream 1);
        // connection 2 answers everything.
        Task server = Task.Run(async () =>
        {
            await ServeAsync(listener, "first", requests: 3, goAwayAfterFirst: true, cancel.Token);
            await ServeAsync(listener, "second", requests: 2, goAwayAfterFirst: false, cancel.Token);
        });
        await using var client = new Http2Client();
        string url = $"http://127.0.0.1:{port}/";

        Http2ClientResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetAsync(url, cancel.Token)));

        string[] bodies = await Task.WhenAll(responses.Select(r => r.ReadAsStringAsync(cancel.Token)));
        Assert.Equal(["first", "second", "second"], bodies.Order());
        Assert.Equal(2, client.ConnectionsOpened);
        foreach (Http2ClientResponse response in responses)
        {
            await response.DisposeAsync();
        }

        await client.DisposeAsync(); // its GOAWAY ends the scripted server's second connection
        await server.WaitAsync(cancel.Token);
    }

    private static async Task ServeAsync(TcpListener listener, string body, int requests, bool goAwayAfterFirst, CancellationToken cancellationToken)
    {
        using TcpClient connection = await listener.AcceptTcpClientAsync(cancellationToken);
        NetworkStream stream = connection.GetStream();
        byte[] preface = new byte[Http2Constants.ClientPreface.Length];
        await stream.ReadExactlyAsync(preface, cancellationToken);
        Assert.True(preface.AsSpan().SequenceEqual(Http2Constants.ClientPreface));
        var frames = new FrameBuffer();
        var server = new FrameBuilder();
        await stream.WriteAsync(FrameBuilder.Settings(), cancellationToken);
        var streams = new List<int>();
        while (streams.Count < requests && await frames.ReadAsync(stream, cancellationToken) is { } frame)
        {
            if (frame.Type == FrameType.Settings && !frame.IsAck)
            {
                await stream.WriteAsync(FrameBuilder.SettingsAck(), cancellationToken);
            }
            else if (frame.Type == FrameType.Headers)
            {
                streams.Add(frame.StreamId);
            }
        }

        if (goAwayAfterFirst)
        {
            await stream.WriteAsync(FrameBuilder.GoAway(streams[0], Http2ErrorCode.NoError), cancellationToken);
            streams = [streams[0]];
        }

        foreach (int id in streams)
        {
            await stream.WriteAsync(FrameBuilder.Headers(id, server.HeaderBlock((":status", "200")), endStream: false), cancellationToken);
            await stream.WriteAsync(FrameBuilder.Data(id, System.Text.Encoding.ASCII.GetBytes(body), endStream: true), cancellationToken);
        }

        // Wait for the client to leave (its GOAWAY or close) so the responses are read before this side closes.
        while (await frames.ReadAsync(stream, cancellationToken) is { } frame && frame.Type != FrameType.GoAway)
        {
        }
    }

    [Fact]
    public async Task Cancelling_a_request_sends_RST_STREAM_CANCEL()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var headersSeen = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<Frame?> server = Task.Run(async () =>
        {
            using TcpClient connection = await listener.AcceptTcpClientAsync(cancel.Token);
            NetworkStream stream = connection.GetStream();
            await stream.ReadExactlyAsync(new byte[Http2Constants.ClientPreface.Length], cancel.Token);
            await stream.WriteAsync(FrameBuilder.Settings(), cancel.Token);
            var frames = new FrameBuffer();
            while (await frames.ReadAsync(stream, cancel.Token) is { } frame)
            {
                if (frame.Type == FrameType.Headers)
                {
                    headersSeen.TrySetResult(frame.StreamId); // and never answer
                }
                else if (frame.Type == FrameType.RstStream)
                {
                    return frame;
                }
            }

            return null;
        });
        await using var client = new Http2Client();
        using var request = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);

        Task<Http2ClientResponse> pending = client.GetAsync($"http://127.0.0.1:{port}/never", request.Token);
        int streamId = await headersSeen.Task.WaitAsync(cancel.Token);
        request.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Frame? rst = await server.WaitAsync(cancel.Token);
        Assert.NotNull(rst);
        Assert.Equal((streamId, Http2ErrorCode.Cancel), (rst.StreamId, rst.ErrorCode));
    }
}

