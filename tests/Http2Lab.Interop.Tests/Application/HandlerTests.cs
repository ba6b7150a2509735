using System.IO.Compression;
using System.Text;
using Http2Lab.Http2.Application.Handlers;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>The ready-made handlers: constant, text, redirect and event stream.</summary>
public sealed class HandlerTests
{
    [Fact]
    public async Task Constant_handler_sends_its_payload_and_headers_and_nothing_to_head()
    {
        var constant = new ConstantHandler("constant body\n"u8, "text/plain", headers: [new("x-kind", "constant")]);
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/c", constant.HandleAsync));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse get = await client.SendAndReadAsync("GET", "/c");
        RawResponse again = await client.SendAndReadAsync("GET", "/c");
        RawResponse head = await client.SendAndReadAsync("HEAD", "/c");

        foreach (RawResponse response in new[] { get, again })
        {
            Assert.Equal(200, response.Status);
            Assert.Equal("constant body\n", response.BodyText);
            Assert.Equal("text/plain", response.Header("content-type"));
            Assert.Equal("14", response.Header("content-length"));
            Assert.Equal("constant", response.Header("x-kind"));
            Assert.NotNull(response.Header("date"));
            Assert.True(response.Frames.Count == 2 && response.Frames[1].EndStream, response.ToString());
        }

        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal("14", head.Header("content-length"));
    }

    [Fact]
    public async Task Constant_handler_larger_than_a_frame_arrives_whole()
    {
        byte[] payload = Encoding.ASCII.GetBytes(new string('z', 100_000));
        var constant = new ConstantHandler(payload, "application/octet-stream");
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/big", constant.HandleAsync));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/big");

        Assert.Equal(payload, response.Body);
        Assert.Equal("100000", response.Header("content-length"));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("gzip, deflate, br", true)]
    [InlineData("br;q=1, gzip;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("*", true)]
    [InlineData("*;q=0.1, gzip;q=0", false)]
    [InlineData("identity", false)]
    public async Task Text_handler_is_html_utf8_and_gzipped_only_when_accepted(string? acceptEncoding, bool gzipped)
    {
        string text = "<p>" + string.Concat(Enumerable.Repeat("Grüße ", 200)) + "</p>";
        var handler = new TextHandler(text);
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/t", handler.HandleAsync));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = acceptEncoding is null
            ? await client.SendAndReadAsync("GET", "/t")
            : await client.SendAndReadAsync("GET", "/t", ("accept-encoding", acceptEncoding));

        Assert.Equal("text/html; charset=UTF-8", response.Header("content-type"));
        Assert.Equal("accept-encoding", response.Header("vary"));
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("content-length"));
        if (gzipped)
        {
            Assert.Equal("gzip", response.Header("content-encoding"));
            using var gzip = new GZipStream(new MemoryStream(response.Body), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            Assert.Equal(text, await reader.ReadToEndAsync());
            Assert.True(response.Body.Length < Encoding.UTF8.GetByteCount(text));
        }
        else
        {
            Assert.Null(response.Header("content-encoding"));
            Assert.Equal(text, response.BodyText);
        }
    }

    [Fact]
    public async Task Redirect_handler_is_301_with_location_by_default_and_carries_an_optional_body()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router =>
        {
            router.MapGet("/old", new RedirectHandler("/new").HandleAsync);
            router.MapGet("/moved", new RedirectHandler("https://example.org/x", 307, "<p>moved</p>").HandleAsync);
        });
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse plain = await client.SendAndReadAsync("GET", "/old");
        RawResponse withBody = await client.SendAndReadAsync("GET", "/moved");

        Assert.Equal(301, plain.Status);
        Assert.Equal("/new", plain.Header("location"));
        Assert.Empty(plain.Body);
        Assert.Equal(307, withBody.Status);
        Assert.Equal("https://example.org/x", withBody.Header("location"));
        Assert.Equal("<p>moved</p>", withBody.BodyText);
    }

    [Fact]
    public async Task Event_stream_delivers_each_event_before_the_next_is_written()
    {
        TaskCompletionSource second = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/events", async (request, response) =>
        {
            EventStream events = await EventStream.StartAsync(request, response);
            await events.SendAsync("one", eventName: "tick", id: "1");
            await second.Task; // the test releases this only after it has event one
            await events.SendAsync("two\nlines");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        int stream = await client.SendRequestAsync("GET", "/events");
        Frame headers = await client.ReadFrameAsync(stream);
        Frame first = await client.ReadFrameAsync(stream);
        second.SetResult();
        RawResponse rest = await client.ReadResponseAsync(stream);

        Assert.Contains(new KeyValuePair<string, string>("content-type", "text/event-stream; charset=utf-8"), headers.Headers!);
        Assert.Equal("event: tick\nid: 1\ndata: one\n\n", Encoding.UTF8.GetString(first.Content));
        Assert.Equal("data: two\ndata: lines\n\n", rest.BodyText);
    }

    [Fact]
    public async Task Event_stream_handler_sends_on_its_timer_and_ends_when_told()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router =>
            router.MapGet("/ticks", EventStream.Handler(TimeSpan.FromMilliseconds(50), (request, n) => n < 3 ? $"tick {n}" : null)));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/ticks");

        Assert.Equal("data: tick 0\n\ndata: tick 1\n\ndata: tick 2\n\n", response.BodyText);
    }
}
