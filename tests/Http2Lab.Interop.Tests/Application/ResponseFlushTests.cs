using System.Text;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// A small write reaches the client while the handler is still waiting (issue 8: an event stream's first event came
/// late), whether the handler waits right after writing, writes after an earlier await, or calls FlushAsync.
/// </summary>
public sealed class ResponseFlushTests
{
    [Fact]
    public async Task A_small_write_followed_by_a_wait_is_received_before_the_handler_goes_on()
    {
        TaskCompletionSource proceed = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/wait", async (request, response) =>
        {
            await response.WriteAsync("first\n");
            await proceed.Task; // released by the test only once it has the first write
            await response.WriteAsync("second\n");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        int stream = await client.SendRequestAsync("GET", "/wait");
        Frame headers = await client.ReadFrameAsync(stream);
        Frame first = await client.ReadFrameAsync(stream);
        proceed.SetResult();
        RawResponse rest = await client.ReadResponseAsync(stream);

        Assert.Equal(FrameType.Headers, headers.Type);
        Assert.Equal(FrameType.Data, first.Type);
        Assert.Equal("first\n", Encoding.UTF8.GetString(first.Content));
        Assert.False(first.EndStream);
        Assert.Equal("second\n", rest.BodyText);
    }

    [Fact]
    public async Task A_small_write_after_an_await_is_sent_while_the_handler_waits_again()
    {
        TaskCompletionSource started = Bounded.Source();
        TaskCompletionSource proceed = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/later", async (request, response) =>
        {
            await started.Task; // the handler's synchronous part is over before it writes
            await response.WriteAsync("event\n");
            await proceed.Task;
        }));
        await using RawH2Client client = await host.ConnectAsync();

        int stream = await client.SendRequestAsync("GET", "/later");
        started.SetResult();
        Frame headers = await client.ReadFrameAsync(stream);
        Frame data = await client.ReadFrameAsync(stream);
        proceed.SetResult();
        RawResponse rest = await client.ReadResponseAsync(stream);

        Assert.Equal(FrameType.Headers, headers.Type);
        Assert.Equal("event\n", Encoding.UTF8.GetString(data.Content));
        Assert.Empty(rest.Body);
        Assert.True(rest.Frames[^1].EndStream, rest.ToString());
    }

    [Fact]
    public async Task FlushAsync_sends_the_header_section_before_any_body()
    {
        TaskCompletionSource proceed = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/flush", async (request, response) =>
        {
            response.SetHeader("x-early", "yes");
            await response.FlushAsync();
            Assert.True(response.HasStarted);
            await proceed.Task;
            await response.WriteAsync("done");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        int stream = await client.SendRequestAsync("GET", "/flush");
        Frame headers = await client.ReadFrameAsync(stream);
        proceed.SetResult();
        RawResponse rest = await client.ReadResponseAsync(stream);

        Assert.Equal(FrameType.Headers, headers.Type);
        Assert.Contains(new KeyValuePair<string, string>("x-early", "yes"), headers.Headers!);
        Assert.Equal("done", rest.BodyText);
    }

    [Fact]
    public async Task Setting_a_header_after_a_small_write_throws_as_the_response_has_started()
    {
        TaskCompletionSource<Exception?> thrown = Bounded.Source<Exception?>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/late-header", async (request, response) =>
        {
            await response.WriteAsync("body");
            thrown.SetResult(Record.Exception(() => response.SetHeader("x-late", "1")));
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/late-header");

        Assert.IsType<InvalidOperationException>(await Bounded.Within(thrown.Task, "the handler"));
        Assert.Equal("body", response.BodyText);
        Assert.Null(response.Header("x-late"));
    }
}
