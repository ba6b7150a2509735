using System.Globalization;
using Http2Lab.Http2.Frames;
using Http2Lab.Samples.WebHost;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// What a handler's <c>Http2Response</c> calls put on the wire, frame by frame: status, headers, body pieces and
/// trailers in order; header rules; misuse; a client reset while the handler writes; small-response batching.
/// </summary>
public sealed class ResponseTests
{
    [Fact]
    public async Task Status_headers_body_pieces_and_trailers_arrive_in_order()
    {
        string large = new('L', 5000);
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/pieces", async (request, response) =>
        {
            response.StatusCode = 201;
            response.SetHeader("content-type", "text/plain");
            response.AddHeader("x-piece", "a");
            response.AddHeader("x-piece", "b");
            await response.WriteAsync("one,");
            await response.WriteAsync("two,");
            await response.WriteAsync(large);
            await response.WriteAsync(",three");
            response.AppendTrailer("x-checksum", "abc123");
            response.AppendTrailer("x-items", "4");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/pieces");

        IReadOnlyList<Frame> frames = response.Frames;
        Assert.True(frames.Count >= 3, response.ToString());
        Assert.Equal(FrameType.Headers, frames[0].Type);
        Assert.False(frames[0].EndStream, response.ToString());
        Assert.All(frames.Skip(1).SkipLast(1), f => Assert.True(f.Type == FrameType.Data && !f.EndStream, response.ToString()));
        Assert.Equal(FrameType.Headers, frames[^1].Type);
        Assert.True(frames[^1].EndStream, response.ToString());

        Assert.Equal(201, response.Status);
        Assert.Equal("text/plain", response.Header("content-type"));
        Assert.Equal(["a", "b"], response.HeaderValues("x-piece"));
        Assert.Equal("one,two," + large + ",three", response.BodyText);
        Assert.Equal([new("x-checksum", "abc123"), new("x-items", "4")], response.Trailers);
    }

    [Fact]
    public async Task Trailers_wait_for_body_data_that_waits_for_window()
    {
        const int BodyLength = 200 * 1024;
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/slow-trailers", async (request, response) =>
        {
            for (int offset = 0; offset < BodyLength; offset += 8192)
            {
                await response.WriteAsync(Pattern.Slice(offset, 8192), request.Aborted);
            }

            response.AppendTrailer("x-length", BodyLength.ToString(CultureInfo.InvariantCulture));
        }));
        await using RawH2Client client = await host.ConnectAsync(connectionWindowIncrement: 16 * 1024 * 1024);
        client.AutoWindowUpdate = false;

        int id = await client.SendRequestAsync("GET", "/slow-trailers");
        var frames = new List<Frame>();
        long received = 0;
        long window = Http2Constants.DefaultInitialWindowSize;
        while (true)
        {
            Frame frame = await client.ReadFrameAsync(id);
            frames.Add(frame);
            if (frame.EndStream || frame.Type == FrameType.RstStream)
            {
                break;
            }

            if (frame.Type == FrameType.Data)
            {
                Assert.True(Pattern.Matches(received, frame.Content), $"wrong content at offset {received}");
                received += frame.Payload.Length;
                window -= frame.Payload.Length;
                if (window == 0)
                {
                    // Credit in small steps only once the window is used up: the handler has long since
                    // returned and its trailers are queued behind the body.
                    await client.SendWindowUpdateAsync(id, 20_000);
                    window += 20_000;
                }
            }
        }

        var response = new RawResponse(id, frames);
        Assert.Equal(BodyLength, received);
        Assert.Equal(FrameType.Headers, frames[0].Type);
        Assert.All(frames.Skip(1).SkipLast(1), f => Assert.Equal(FrameType.Data, f.Type));
        Assert.Equal(FrameType.Headers, frames[^1].Type);
        Assert.True(frames[^1].EndStream, response.ToString());
        Assert.Equal([new("x-length", BodyLength.ToString(CultureInfo.InvariantCulture))], response.Trailers);
    }

    [Fact]
    public async Task Header_section_larger_than_a_frame_arrives_intact_in_continuation_frames()
    {
        string big = string.Concat(Enumerable.Range(0, 4000).Select(i => i.ToString("x4", CultureInfo.InvariantCulture))); // 16000 chars
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/big-headers", async (request, response) =>
        {
            response.SetHeader("x-big-1", big);
            response.SetHeader("x-big-2", big);
            response.SetHeader("x-after", "end");
            await response.WriteAsync("ok");
            response.AppendTrailer("x-big-trailer", big);
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/big-headers");
        RawResponse again = await client.SendAndReadAsync("GET", "/big-headers"); // the HPACK tables still agree

        foreach (RawResponse r in new[] { response, again })
        {
            Assert.Equal(200, r.Status);
            Assert.Equal(big, r.Header("x-big-1"));
            Assert.Equal(big, r.Header("x-big-2"));
            Assert.Equal("end", r.Header("x-after"));
            Assert.Equal("ok", r.BodyText);
            Assert.Equal([new("x-big-trailer", big)], r.Trailers);
        }
    }

    [Fact]
    public async Task Header_names_are_sent_lowercase()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/upper", async (request, response) =>
        {
            response.SetHeader("X-Upper-Case", "Value Stays");
            response.AddHeader("X-Multi", "1");
            response.AddHeader("x-MULTI", "2");
            response.SetHeader("Content-Type", "text/plain");
            await response.WriteAsync("ok");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/upper");

        Assert.Equal(200, response.Status);
        Assert.Equal("Value Stays", response.Header("x-upper-case"));
        Assert.Equal(["1", "2"], response.HeaderValues("x-multi"));
        Assert.Equal("text/plain", response.Header("content-type"));
        Assert.All(response.Headers!, h => Assert.Equal(h.Key.ToLowerInvariant(), h.Key));
    }

    [Theory]
    [InlineData("connection")]
    [InlineData("Connection")]
    [InlineData("transfer-encoding")]
    [InlineData("keep-alive")]
    [InlineData("upgrade")]
    public async Task Setting_a_connection_specific_header_throws_in_the_handler_and_the_client_gets_500(string name)
    {
        TaskCompletionSource<Exception?> thrown = Bounded.Source<Exception?>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/bad-header", async (request, response) =>
        {
            try
            {
                response.SetHeader(name, "close");
            }
            catch (Exception ex)
            {
                thrown.TrySetResult(ex);
                throw;
            }

            thrown.TrySetResult(null);
            await response.WriteAsync("the header was accepted");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/bad-header");

        Assert.Equal(500, response.Status);
        Assert.Null(response.Header(name.ToLowerInvariant()));
        Assert.Empty(response.Body);
        Assert.IsType<ArgumentException>(await Bounded.Within(thrown.Task, "the handler running"));
    }

    [Fact]
    public async Task Writing_after_completion_throws_and_the_response_stays_as_completed()
    {
        TaskCompletionSource<Exception?[]> misuse = Bounded.Source<Exception?[]>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/done", async (request, response) =>
        {
            await response.WriteAsync("complete");
            await response.CompleteAsync();
            var errors = new Exception?[3];
            try
            {
                await response.WriteAsync("more");
            }
            catch (Exception ex)
            {
                errors[0] = ex;
            }

            try
            {
                response.AppendTrailer("x-late", "1");
            }
            catch (Exception ex)
            {
                errors[1] = ex;
            }

            try
            {
                response.SetHeader("x-late", "1");
            }
            catch (Exception ex)
            {
                errors[2] = ex;
            }

            misuse.TrySetResult(errors);
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/done");

        Assert.Equal(200, response.Status);
        Assert.Equal("complete", response.BodyText);
        Assert.Null(response.Trailers);
        Assert.Null(response.Header("x-late"));
        Exception?[] errors = await Bounded.Within(misuse.Task, "the handler finishing");
        Assert.IsType<InvalidOperationException>(errors[0]);
        Assert.IsType<InvalidOperationException>(errors[1]);
        Assert.IsType<InvalidOperationException>(errors[2]);
        Assert.Null(await client.TryReadFrameAsync(response.StreamId, Bounded.Quiet));
    }

    [Theory]
    [InlineData(false)] // the handler is awaiting window when the reset arrives
    [InlineData(true)]  // the client keeps the window open: the handler is busy writing
    public async Task Client_cancel_aborts_the_handler_and_its_write_throws_while_the_connection_keeps_serving(bool clientKeepsReading)
    {
        TaskCompletionSource aborted = Bounded.Source();
        TaskCompletionSource<Exception> writeFailed = Bounded.Source<Exception>();
        long written = 0;
        byte[] chunk = new byte[16 * 1024];
        await using AppHost host = await AppHost.StartAsync(routes: router => router
            .MapGet("/", (request, response) => response.WriteAsync("still serving").AsTask())
            .MapGet("/endless", async (request, response) =>
            {
                request.Aborted.Register(() => aborted.TrySetResult());
                try
                {
                    while (true)
                    {
                        await response.WriteAsync(chunk); // no token: the write itself must notice the reset
                        Interlocked.Add(ref written, chunk.Length);
                    }
                }
                catch (Exception ex)
                {
                    writeFailed.TrySetResult(ex);
                    throw;
                }
            }));
        // A roomy connection window: only stream 1's own window closes (when the client stops crediting it).
        await using RawH2Client client = await host.ConnectAsync(connectionWindowIncrement: 16 * 1024 * 1024);
        client.AutoWindowUpdate = clientKeepsReading;

        int id = await client.SendRequestAsync("GET", "/endless");
        long received = 0;
        long wanted = clientKeepsReading ? 512 * 1024 : Http2Constants.DefaultInitialWindowSize;
        while (received < wanted)
        {
            Frame frame = await client.ReadFrameAsync(id);
            Assert.False(frame.EndStream || frame.Type == FrameType.RstStream, frame.ToString());
            if (frame.Type == FrameType.Data)
            {
                received += frame.Payload.Length;
            }
        }

        await client.SendRstStreamAsync(id, Http2ErrorCode.Cancel);

        await Bounded.Within(aborted.Task, "request.Aborted being cancelled");
        Exception failure = await Bounded.Within(writeFailed.Task, "the handler's WriteAsync throwing");
        Assert.True(failure is IOException or OperationCanceledException, failure.ToString());
        long before = Interlocked.Read(ref written);

        RawResponse next = await client.SendAndReadAsync("GET", "/");
        Assert.Equal(200, next.Status);
        Assert.Equal("still serving", next.BodyText);
        Assert.Equal(before, Interlocked.Read(ref written)); // the handler stopped writing
        Assert.DoesNotContain(client.ReceivedFrames, f => f.Type == FrameType.GoAway);
    }

    [Fact]
    public async Task Client_disconnect_aborts_a_handler_waiting_for_window()
    {
        TaskCompletionSource aborted = Bounded.Source();
        TaskCompletionSource<Exception> writeFailed = Bounded.Source<Exception>();
        TaskCompletionSource stalled = Bounded.Source();
        byte[] chunk = new byte[16 * 1024];
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/endless", async (request, response) =>
        {
            request.Aborted.Register(() => aborted.TrySetResult());
            try
            {
                for (long written = 0; ; written += chunk.Length)
                {
                    if (written > 256 * 1024)
                    {
                        stalled.TrySetResult(); // past window + output buffer: the next writes must wait
                    }

                    await response.WriteAsync(chunk);
                }
            }
            catch (Exception ex)
            {
                writeFailed.TrySetResult(ex);
                throw;
            }
        }));
        RawH2Client client = await host.ConnectAsync(connectionWindowIncrement: 16 * 1024 * 1024);
        int id;
        try
        {
            client.AutoWindowUpdate = false;
            id = await client.SendRequestAsync("GET", "/endless");
            Assert.Equal(FrameType.Headers, (await client.ReadFrameAsync(id)).Type);
            Assert.Equal(FrameType.Data, (await client.ReadFrameAsync(id)).Type);
        }
        finally
        {
            await client.DisposeAsync(); // the TCP connection goes away without GOAWAY or RST_STREAM
        }

        Assert.False(stalled.Task.IsCompleted, "the handler wrote far past the client's window");
        await Bounded.Within(aborted.Task, "request.Aborted being cancelled after the client disconnected");
        Exception failure = await Bounded.Within(writeFailed.Task, "the handler's WriteAsync throwing after the client disconnected");
        Assert.True(failure is IOException or OperationCanceledException, failure.ToString());
    }

    [Fact]
    public async Task Handler_failing_after_a_small_held_back_write_gets_a_clean_500()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/fails", async (request, response) =>
        {
            response.SetHeader("x-partial", "yes");
            await response.WriteAsync("partial body that must not be sent as a 200");
            throw new InvalidOperationException("handler failed after a small write");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/fails");

        Assert.Equal(500, response.Status);
        Assert.Empty(response.Body);
        Assert.Null(response.Header("x-partial"));
        Assert.Null(response.ResetCode);
        Assert.Contains(host.Log.Lines, line => line.Contains("handler failed after a small write", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/")] // the sample's own route
    [InlineData("/short")]
    [InlineData("/4000")] // up to the 4 KiB a first write may be held back
    public async Task Small_response_is_one_headers_frame_and_one_data_frame_with_end_stream(string path)
    {
        var bodies = new Dictionary<string, string> { ["/"] = "Hello World\n", ["/short"] = "short", ["/4000"] = new('x', 4000) };
        await using AppHost host = await AppHost.StartAsync(routes: router =>
        {
            DemoRoutes.Map(router);
            router.MapGet("/short", (request, response) => response.WriteAsync(bodies["/short"]).AsTask());
            router.MapGet("/4000", (request, response) => response.WriteAsync(bodies["/4000"]).AsTask());
        });
        await using RawH2Client client = await host.ConnectAsync();
        string expected = bodies[path];

        RawResponse response = await client.SendAndReadAsync("GET", path);

        Assert.True(response.Frames.Count == 2, response.ToString());
        Assert.Equal(FrameType.Headers, response.Frames[0].Type);
        Assert.False(response.Frames[0].EndStream, response.ToString());
        Assert.Equal(FrameType.Data, response.Frames[1].Type);
        Assert.True(response.Frames[1].EndStream, response.ToString());
        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.BodyText);
        Assert.Equal(expected.Length.ToString(CultureInfo.InvariantCulture), response.Header("content-length"));
        Assert.Null(await client.TryReadFrameAsync(response.StreamId, Bounded.Quiet)); // nothing trails the END_STREAM
    }
}
