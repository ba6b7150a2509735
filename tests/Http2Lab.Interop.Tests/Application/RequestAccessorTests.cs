using System.Text;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// What a handler reads from <c>Http2Request</c> for a request sent frame by frame: pseudo-headers, path and
/// query, query values, headers in order, trailers after the body, and a body that contradicts its
/// <c>content-length</c>.
/// </summary>
public sealed class RequestAccessorTests
{
    private sealed record Seen(
        string Method,
        string Scheme,
        string Authority,
        string Path,
        string QueryString,
        string PathAndQuery,
        KeyValuePair<string, string>[] Headers,
        string? FirstUpper,
        string? SecondMixed,
        string? Missing,
        long? ContentLength);

    [Fact]
    public async Task Pseudo_headers_path_query_and_headers_reach_the_handler_as_sent_with_the_path_decoded()
    {
        TaskCompletionSource<Seen> seen = Bounded.Source<Seen>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapPrefix("GET", "/inspect/", async (request, response) =>
        {
            seen.TrySetResult(new Seen(request.Method, request.Scheme, request.Authority, request.Path, request.QueryString,
                request.PathAndQuery, [.. request.Headers], request.GetHeader("X-FIRST"), request.GetHeader("X-Second"),
                request.GetHeader("x-missing"), request.ContentLength));
            await response.WriteAsync("ok");
        }));
        await using RawH2Client client = await host.ConnectAsync();
        const string path = "/inspect/a%20b/c";
        const string query = "?name=J%C3%B6rg+M%C3%BCller&plus=1%2B1&empty=&flag&x=1&x=2";

        RawResponse response = await client.SendAndReadAsync("GET", path + query,
            ("x-first", "1"), ("accept", "text/plain"), ("x-second", "two"), ("x-first", "3"));

        Assert.Equal(200, response.Status);
        Seen request = await Bounded.Within(seen.Task, "the handler running");
        Assert.Equal("GET", request.Method);
        Assert.Equal("http", request.Scheme);
        Assert.Equal(client.Authority, request.Authority);
        Assert.Equal("/inspect/a b/c", request.Path); // decoded for routing; PathAndQuery keeps what was sent
        Assert.Equal(query, request.QueryString);
        Assert.Equal(path + query, request.PathAndQuery);
        Assert.Equal(
            [new("x-first", "1"), new("accept", "text/plain"), new("x-second", "two"), new("x-first", "3")],
            request.Headers);
        Assert.Equal("1", request.FirstUpper); // the first of repeated fields, name matched case-insensitively
        Assert.Equal("two", request.SecondMixed);
        Assert.Null(request.Missing);
        Assert.Null(request.ContentLength);
    }

    [Theory]
    [InlineData("?name=J%C3%B6rg+M%C3%BCller", "name", "Jörg Müller")]  // percent-encoded UTF-8, '+' is a space
    [InlineData("?plus=1%2B1", "plus", "1+1")]                          // an encoded '+' stays a '+'
    [InlineData("?a=1&empty=&b=2", "empty", "")]
    [InlineData("?a=1&flag&b=2", "flag", "")]
    [InlineData("?x=1&x=2", "x", "1")]                                  // the first of repeated keys
    [InlineData("?sp%20ace=yes", "sp ace", "yes")]                      // keys are decoded too
    [InlineData("?eq=a%3Db%26c", "eq", "a=b&c")]
    [InlineData("?a=1", "missing", null)]
    [InlineData("", "a", null)]
    [InlineData("?first+name=Ann", "first name", "Ann")]                // '+' in a key is a space as well (form encoding)
    public async Task GetQueryValue_decodes_percent_encoding_and_plus(string query, string key, string? expected)
    {
        TaskCompletionSource<string?> value = Bounded.Source<string?>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/q", async (request, response) =>
        {
            value.TrySetResult(request.GetQueryValue(key));
            await response.WriteAsync("ok");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/q" + query);

        Assert.Equal(200, response.Status);
        Assert.Equal(expected, await Bounded.Within(value.Task, "the handler running"));
    }

    [Fact]
    public async Task Authority_falls_back_to_the_host_header()
    {
        TaskCompletionSource<string> authority = Bounded.Source<string>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/", async (request, response) =>
        {
            authority.TrySetResult(request.Authority);
            await response.WriteAsync("ok");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        await client.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "http"), (":path", "/"), ("host", "example.test:8080")], endStream: true);
        RawResponse response = await client.ReadResponseAsync(1);

        Assert.Equal(200, response.Status);
        Assert.Equal("example.test:8080", await Bounded.Within(authority.Task, "the handler running"));
    }

    [Fact]
    public async Task Request_trailers_are_available_after_the_body()
    {
        TaskCompletionSource<(string Body, KeyValuePair<string, string>[] Trailers)> seen = Bounded.Source<(string, KeyValuePair<string, string>[])>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapPost("/upload", async (request, response) =>
        {
            byte[] body = await request.ReadBodyAsBytesAsync(cancellationToken: request.Aborted);
            seen.TrySetResult((Encoding.UTF8.GetString(body), [.. request.Trailers]));
            await response.WriteAsync($"{body.Length} octets, {request.Trailers.Count} trailers");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        int id = await client.SendRequestAsync("POST", "/upload", endStream: false, ("content-type", "text/plain"));
        await client.SendDataAsync(id, "abc"u8.ToArray(), endStream: false);
        await client.SendDataAsync(id, "def"u8.ToArray(), endStream: false);
        await client.SendHeadersAsync(id, [("x-checksum", "e80b5017098950fc"), ("x-count", "6")], endStream: true);
        RawResponse response = await client.ReadResponseAsync(id);

        Assert.Equal(200, response.Status);
        Assert.Equal("6 octets, 2 trailers", response.BodyText);
        (string body, KeyValuePair<string, string>[] trailers) = await Bounded.Within(seen.Task, "the handler reading the body");
        Assert.Equal("abcdef", body);
        Assert.Equal([new("x-checksum", "e80b5017098950fc"), new("x-count", "6")], trailers);
    }

    [Theory]
    [InlineData(10, 5, false)] // END_STREAM before the declared length
    [InlineData(3, 5, false)]  // more DATA than declared
    [InlineData(10, 5, true)]  // trailers end the stream before the declared length
    public async Task Body_contradicting_content_length_is_reset_with_protocol_error_and_the_handler_is_aborted(int declared, int sent, bool endWithTrailers)
    {
        TaskCompletionSource<string> outcome = Bounded.Source<string>();
        TaskCompletionSource aborted = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(routes: router => router
            .MapGet("/", (request, response) => response.WriteAsync("still serving").AsTask())
            .MapPost("/upload", async (request, response) =>
            {
                request.Aborted.Register(() => aborted.TrySetResult());
                try
                {
                    byte[] body = await request.ReadBodyAsBytesAsync(cancellationToken: request.Aborted);
                    outcome.TrySetResult($"read a whole body of {body.Length} octets");
                }
                catch (Exception ex)
                {
                    outcome.TrySetResult("threw " + ex.GetType().Name);
                    throw;
                }

                await response.WriteAsync("accepted");
            }));
        await using RawH2Client client = await host.ConnectAsync();

        int id = await client.SendRequestAsync("POST", "/upload", endStream: false,
            ("content-length", declared.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await client.SendDataAsync(id, new byte[sent], endStream: !endWithTrailers);
        if (endWithTrailers)
        {
            await client.SendHeadersAsync(id, [("x-checksum", "0")], endStream: true);
        }

        RawResponse response = await client.ReadResponseAsync(id);

        Assert.Equal(Http2ErrorCode.ProtocolError, response.ResetCode);
        Assert.Null(response.Headers); // no response: the handler never got to answer
        string handler = await Bounded.Within(outcome.Task, "the handler's body read ending");
        Assert.StartsWith("threw", handler);
        await Bounded.Within(aborted.Task, "request.Aborted being cancelled");

        // The stream error did not take the connection with it.
        RawResponse next = await client.SendAndReadAsync("GET", "/");
        Assert.Equal(200, next.Status);
        Assert.Equal("still serving", next.BodyText);
        Assert.DoesNotContain(client.ReceivedFrames, f => f.Type == FrameType.GoAway);
    }
}
