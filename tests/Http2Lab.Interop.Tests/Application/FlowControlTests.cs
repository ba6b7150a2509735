using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Xunit.Abstractions;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// Flow control as a handler and a client experience it: a large response waits for the client's window
/// without holding up other streams or buffering the body, and a slow reader of a request body holds the
/// client back through the stream window, which reopens in batches as the handler reads.
/// </summary>
public sealed class FlowControlTests(ITestOutputHelper output)
{
    private const int TenMegabytes = 10 * 1024 * 1024;
    private const int WriteChunk = 16 * 1024;
    private const int ClientWindow = Http2Constants.DefaultInitialWindowSize; // 65535

    private sealed class WriteProbe
    {
        public long Completed;
        public readonly TaskCompletionSource Finished = Bounded.Source();
    }

    /// <summary>
    /// Polls <paramref name="read"/> until two readings 100 ms apart agree (at most <see cref="Bounded.Timeout"/>)
    /// and returns that value: "the handler has stopped making progress", for a probe that may still be moving.
    /// </summary>
    private static async Task<long> WhenStableAsync(Func<long> read)
    {
        long deadline = Environment.TickCount64 + (long)Bounded.Timeout.TotalMilliseconds;
        long previous = read();
        while (true)
        {
            await Task.Delay(100);
            long current = read();
            if (current == previous || Environment.TickCount64 > deadline)
            {
                return current;
            }

            previous = current;
        }
    }

    [Fact]
    public async Task Large_response_waits_for_the_client_window_without_blocking_other_streams_or_buffering_the_body()
    {
        var probe = new WriteProbe();
        int streamOutputBuffer = new Http2Limits().StreamOutputBufferSize;
        await using AppHost host = await AppHost.StartAsync(routes: router => router
            .MapGet("/", (request, response) => response.WriteAsync("Hello World\n").AsTask())
            .MapGet("/large", async (request, response) =>
            {
                response.SetHeader("content-type", "application/octet-stream");
                response.SetHeader("content-length", TenMegabytes.ToString(CultureInfo.InvariantCulture));
                for (int offset = 0; offset < TenMegabytes; offset += WriteChunk)
                {
                    int n = Math.Min(WriteChunk, TenMegabytes - offset);
                    await response.WriteAsync(Pattern.Slice(offset, n), request.Aborted);
                    Interlocked.Add(ref probe.Completed, n);
                }

                probe.Finished.TrySetResult();
            }));
        await using RawH2Client client = await host.ConnectAsync(
            [new(SettingsParameter.InitialWindowSize, ClientWindow)], connectionWindowIncrement: 100 * 1024 * 1024);
        client.AutoWindowUpdate = false;

        // Stream 1: exactly the stream window arrives, then nothing.
        int large = await client.SendRequestAsync("GET", "/large");
        Frame head = await client.ReadFrameAsync(large);
        Assert.Equal(FrameType.Headers, head.Type);
        Assert.Equal("200", head.Header(":status"));
        long received = 0;
        while (received < ClientWindow)
        {
            Frame frame = await client.ReadFrameAsync(large);
            Assert.Equal(FrameType.Data, frame.Type);
            Assert.True(Pattern.Matches(received, frame.Content), $"wrong content at offset {received}");
            received += frame.Payload.Length;
        }

        Assert.Equal(ClientWindow, received);
        Assert.Null(await client.TryReadFrameAsync(large, Bounded.Quiet));

        // The handler is awaiting, not buffering: once its writes stop completing (bounded wait), what they
        // handed over stays within the window plus the stream's output buffer (plus the write that is partly
        // accepted), and does not grow while the window stays closed.
        long completed = await WhenStableAsync(() => Volatile.Read(ref probe.Completed));
        long bound = ClientWindow + streamOutputBuffer + WriteChunk;
        output.WriteLine($"completed writes with the window closed: {completed} octets (bound {bound})");
        Assert.InRange(completed, ClientWindow - WriteChunk, bound);
        Assert.Null(await client.TryReadFrameAsync(large, Bounded.Quiet));
        Assert.Equal(completed, Volatile.Read(ref probe.Completed));
        Assert.False(probe.Finished.Task.IsCompleted);

        // The connection is not blocked either: a PING is answered at once.
        await client.SendPingAsync(0x0102030405060708);
        Frame pong;
        do
        {
            pong = await client.ReadFrameAsync(0, TimeSpan.FromSeconds(5));
        }
        while (pong.Type != FrameType.Ping);
        Assert.True(pong.IsAck, pong.ToString());

        // Stream 3 is not held up by stream 1's closed window.
        var elapsed = Stopwatch.StartNew();
        RawResponse hello = await client.SendAndReadAsync("GET", "/");
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(5), $"GET / took {elapsed.Elapsed} behind a stalled stream");
        Assert.Equal(3, hello.StreamId);
        Assert.Equal(200, hello.Status);
        Assert.Equal("Hello World\n", hello.BodyText);
        Assert.InRange(Volatile.Read(ref probe.Completed), 0, bound);

        // Reopen stream 1's window as a client would, crediting what it consumed; the body resumes and completes.
        await client.SendWindowUpdateAsync(large, ClientWindow);
        long unacknowledged = 0;
        int windowUpdates = 1;
        var transfer = Stopwatch.StartNew();
        while (true)
        {
            Frame frame = await client.ReadFrameAsync(large);
            Assert.Equal(FrameType.Data, frame.Type);
            Assert.True(Pattern.Matches(received, frame.Content), $"wrong content at offset {received}");
            received += frame.Payload.Length;
            unacknowledged += frame.Payload.Length;
            Assert.True(received <= TenMegabytes, $"{received} octets exceed the 10 MiB body");
            if (frame.EndStream)
            {
                break;
            }

            if (unacknowledged >= ClientWindow / 2)
            {
                await client.SendWindowUpdateAsync(large, (int)unacknowledged);
                windowUpdates++;
                unacknowledged = 0;
            }

            Assert.True(transfer.Elapsed < TimeSpan.FromSeconds(30), $"10 MiB not transferred in 30 s; {received} octets so far");
        }

        Assert.Equal(TenMegabytes, received);
        Assert.True(windowUpdates > 100, $"the body resumed only {windowUpdates} times");
        await Bounded.Within(probe.Finished.Task, "the /large handler finishing");
        Assert.Equal(TenMegabytes, Volatile.Read(ref probe.Completed));
        Assert.DoesNotContain(client.ReceivedFrames, f => f.Type is FrameType.GoAway or FrameType.RstStream);
    }

    [Fact]
    public async Task Request_body_window_reopens_only_as_the_handler_reads_and_in_batches()
    {
        const int ServerStreamWindow = 65535;
        var steps = Channel.CreateUnbounded<int>();
        var progress = Channel.CreateUnbounded<long>();
        await using AppHost host = await AppHost.StartAsync(
            routes: router => router.MapPost("/slow-upload", async (request, response) =>
            {
                // Reads only as much as the test allows; -1 means "read to the end".
                long total = 0;
                byte[] buffer = new byte[8192];
                await foreach (int amount in steps.Reader.ReadAllAsync(request.Aborted))
                {
                    long target = amount < 0 ? long.MaxValue : total + amount;
                    while (total < target)
                    {
                        int read = await request.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, target - total)), request.Aborted);
                        if (read == 0)
                        {
                            break;
                        }

                        total += read;
                    }

                    progress.Writer.TryWrite(total);
                    if (amount < 0)
                    {
                        break;
                    }
                }

                await response.WriteAsync($"read {total}");
            }),
            limits: limits => limits.InitialStreamWindowSize = ServerStreamWindow);
        await using RawH2Client client = await host.ConnectAsync();
        Frame settings = await client.ServerSettings;
        Assert.Contains(new KeyValuePair<SettingsParameter, uint>(SettingsParameter.InitialWindowSize, ServerStreamWindow), settings.Settings);

        async Task<long> HandlerReadsAsync(int amount)
        {
            Assert.True(steps.Writer.TryWrite(amount));
            using var timeout = new CancellationTokenSource(Bounded.Timeout);
            return await progress.Reader.ReadAsync(timeout.Token);
        }

        // Fill the stream window exactly, in four DATA frames.
        int id = await client.SendRequestAsync("POST", "/slow-upload", endStream: false, ("content-type", "application/octet-stream"));
        byte[] body = Pattern.Create(ServerStreamWindow + 100);
        await client.SendDataSplitAsync(id, body.AsMemory(0, ServerStreamWindow), [16384, 32768, 49152], endStream: false);
        Assert.Equal(0, client.StreamSendWindow(id));

        // Nothing read, nothing credited.
        Assert.Null(await client.TryReadFrameAsync(id, Bounded.Quiet));

        // A quarter read: still no WINDOW_UPDATE (not one per DATA frame).
        Assert.Equal(16384, await HandlerReadsAsync(16384));
        Assert.Null(await client.TryReadFrameAsync(id, Bounded.Quiet));

        // Half read: one WINDOW_UPDATE for what the handler consumed.
        Assert.Equal(32768, await HandlerReadsAsync(16384));
        Frame update = await client.ReadFrameAsync(id);
        Assert.Equal(FrameType.WindowUpdate, update.Type);
        Assert.Equal(32768, update.Increment);
        Assert.Equal(32768, client.StreamSendWindow(id));
        Assert.Null(await client.TryReadFrameAsync(id, Bounded.Quiet));

        // The rest of the body fits in the reopened window; the handler reads it all and answers.
        await client.SendDataAsync(id, body.AsMemory(ServerStreamWindow), endStream: true);
        Assert.Equal(body.Length, await HandlerReadsAsync(-1));
        RawResponse response = await client.ReadResponseAsync(id);
        Assert.Equal(200, response.Status);
        Assert.Equal($"read {body.Length}", response.BodyText);
        Assert.DoesNotContain(client.ReceivedFrames, f => f.Type is FrameType.GoAway or FrameType.RstStream);
    }

    [Fact]
    public async Task Request_bodies_a_handler_never_reads_give_their_connection_window_back()
    {
        const int BodyLength = 32 * 1024;
        const int Requests = 48; // 1.5 MiB in all, more than the server's 1 MiB connection window
        await using AppHost host = await AppHost.StartAsync(routes: router =>
            router.MapPost("/ignore", (request, response) => response.WriteAsync("ignored").AsTask()));
        await using RawH2Client client = await host.ConnectAsync();
        byte[] body = Pattern.Create(BodyLength);

        for (int i = 0; i < Requests; i++)
        {
            // Wait (bounded) for the server to credit the connection window if it is too small for the next body.
            while (client.ConnectionSendWindow < BodyLength)
            {
                Frame? frame = await client.TryReadFrameAsync(0, Bounded.Timeout);
                Assert.True(frame is not null,
                    $"request {i}: the connection window stays at {client.ConnectionSendWindow} octets; unread bodies were never credited back. {client.Describe()}");
            }

            int id = await client.SendRequestAsync("POST", "/ignore", endStream: false);
            await client.SendDataSplitAsync(id, body, [16384], endStream: true);
            RawResponse response = await client.ReadResponseAsync(id);
            Assert.True(response.Status == 200 && response.BodyText == "ignored", $"request {i}: {response}");
        }

        Assert.DoesNotContain(client.ReceivedFrames, f => f.Type == FrameType.GoAway);
    }

    [Fact]
    public async Task Stalled_response_resumes_when_the_client_raises_its_initial_window_by_settings()
    {
        const int BodyLength = 1024 * 1024;
        TaskCompletionSource finished = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/mebibyte", async (request, response) =>
        {
            for (int offset = 0; offset < BodyLength; offset += WriteChunk)
            {
                await response.WriteAsync(Pattern.Slice(offset, WriteChunk), request.Aborted);
            }

            finished.TrySetResult();
        }));
        await using RawH2Client client = await host.ConnectAsync(
            [new(SettingsParameter.InitialWindowSize, ClientWindow)], connectionWindowIncrement: 100 * 1024 * 1024);
        client.AutoWindowUpdate = false;

        int id = await client.SendRequestAsync("GET", "/mebibyte");
        Assert.Equal(FrameType.Headers, (await client.ReadFrameAsync(id)).Type);
        long received = 0;
        while (received < ClientWindow)
        {
            Frame frame = await client.ReadFrameAsync(id);
            Assert.Equal(FrameType.Data, frame.Type);
            received += frame.Payload.Length;
        }

        Assert.Null(await client.TryReadFrameAsync(id, Bounded.Quiet));

        // §6.9.2: raising SETTINGS_INITIAL_WINDOW_SIZE enlarges the open stream's window too.
        await client.SendSettingsAsync(new KeyValuePair<SettingsParameter, uint>(SettingsParameter.InitialWindowSize, 16 * 1024 * 1024));
        while (true)
        {
            Frame frame = await client.ReadFrameAsync(id);
            Assert.Equal(FrameType.Data, frame.Type);
            Assert.True(Pattern.Matches(received, frame.Content), $"wrong content at offset {received}");
            received += frame.Payload.Length;
            if (frame.EndStream)
            {
                break;
            }
        }

        Assert.Equal(BodyLength, received);
        await Bounded.Within(finished.Task, "the handler finishing");
    }
}
