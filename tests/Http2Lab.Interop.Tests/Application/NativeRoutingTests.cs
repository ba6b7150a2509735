using Http2Lab.Http2.Application;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// Routing on the normalised path, the router's any-method mappings and fallback, and the all-values accessors,
/// through real requests.
/// </summary>
public sealed class NativeRoutingTests
{
    [Fact]
    public async Task Dot_segments_are_removed_before_routing_and_the_raw_target_is_kept()
    {
        TaskCompletionSource<(string Path, string Raw)> seen = Bounded.Source<(string, string)>();
        bool staticServed = false;
        await using AppHost host = await AppHost.StartAsync(routes: router =>
        {
            router.MapPrefix("GET", "/static/", (request, response) =>
            {
                staticServed = true;
                return response.WriteAsync("static").AsTask();
            });
            router.MapGet("/appsettings.json", (request, response) =>
            {
                seen.TrySetResult((request.Path, request.PathAndQuery));
                return response.WriteAsync("settings").AsTask();
            });
        });
        await using RawH2Client client = await host.ConnectAsync();

        // Sent as is (a raw client does not normalise like curl or HttpClient would).
        RawResponse response = await client.SendAndReadAsync("GET", "/static/../appsettings.json?x=1");

        Assert.Equal("settings", response.BodyText);
        (string path, string raw) = await Bounded.Within(seen.Task, "the handler");
        Assert.Equal("/appsettings.json", path);
        Assert.Equal("/static/../appsettings.json?x=1", raw);
        Assert.False(staticServed);
    }

    [Fact]
    public async Task Encoded_dot_segments_and_escapes_are_decoded_but_an_encoded_slash_stays()
    {
        TaskCompletionSource<string> seen = Bounded.Source<string>();
        await using AppHost host = await AppHost.StartAsync(routes: router =>
            router.MapPrefix("GET", "/files/", (request, response) =>
            {
                seen.TrySetResult(request.Path);
                return response.WriteAsync("ok").AsTask();
            }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/files/a/%2e%2e/b%20c%2Fd");

        Assert.Equal(200, response.Status);
        Assert.Equal("/files/b c%2Fd", await Bounded.Within(seen.Task, "the handler"));
    }

    [Theory]
    [InlineData("PUT", "put")]
    [InlineData("DELETE", "delete")]
    [InlineData("PATCH", "patch-or-options")]
    [InlineData("OPTIONS", "patch-or-options")]
    public async Task MapPut_MapDelete_and_MapMethods_serve_their_methods(string method, string expected)
    {
        await using AppHost host = await AppHost.StartAsync(routes: router =>
        {
            router.MapPut("/item", (request, response) => response.WriteAsync("put").AsTask());
            router.MapDelete("/item", (request, response) => response.WriteAsync("delete").AsTask());
            router.MapMethods(["PATCH", "OPTIONS"], "/item", (request, response) => response.WriteAsync("patch-or-options").AsTask());
        });
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync(method, "/item");
        RawResponse get = await client.SendAndReadAsync("GET", "/item");

        Assert.Equal(expected, response.BodyText);
        Assert.Equal(405, get.Status);
        Assert.Equal("DELETE, OPTIONS, PATCH, PUT", get.Header("allow"));
    }

    [Fact]
    public async Task The_fallback_serves_unmatched_paths_of_any_method_but_not_a_known_path_with_another_method()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router =>
        {
            router.MapGet("/known", (request, response) => response.WriteAsync("known").AsTask());
            router.MapFallback(async (request, response) =>
            {
                response.StatusCode = 404;
                await response.WriteAsync($"fallback {request.Method} {request.Path}");
            });
        });
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse unknown = await client.SendAndReadAsync("POST", "/nowhere");
        RawResponse wrongMethod = await client.SendAndReadAsync("POST", "/known");

        Assert.Equal(404, unknown.Status);
        Assert.Equal("fallback POST /nowhere", unknown.BodyText);
        Assert.Equal(405, wrongMethod.Status);
    }

    [Fact]
    public async Task Mapping_a_route_twice_fails_the_start_naming_both_handlers()
    {
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => AppHost.StartAsync(routes: router =>
        {
            router.MapGet("/twice", FirstHandler);
            router.MapGet("/twice", SecondHandler);
        }));

        Assert.Contains("GET /twice", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FirstHandler), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(SecondHandler), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_and_query_accessors_return_every_value_and_cookies_joined()
    {
        TaskCompletionSource<string[]> seen = Bounded.Source<string[]>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/values", (request, response) =>
        {
            seen.TrySetResult([
                string.Join("|", request.GetHeaderValues("x-multi")),
                request.GetHeader("cookie") ?? "(none)",
                string.Join("|", request.GetHeaderValues("cookie")),
                string.Join("|", request.GetQueryValues("x")),
                string.Join("|", request.GetQueryValues("absent")),
                request.GetQueryValue("x") ?? "(none)",
            ]);
            return response.WriteAsync("ok").AsTask();
        }));
        await using RawH2Client client = await host.ConnectAsync();

        // RFC 9113 §8.2.3: a client may split cookie into one field per crumb.
        RawResponse response = await client.SendAndReadAsync("GET", "/values?x=1&y=2&x=a%20b&x=",
            ("cookie", "a=1"), ("x-multi", "one"), ("cookie", "b=2"), ("x-multi", "two"), ("cookie", "c=3"));

        Assert.Equal(200, response.Status);
        string[] values = await Bounded.Within(seen.Task, "the handler");
        Assert.Equal("one|two", values[0]);
        Assert.Equal("a=1; b=2; c=3", values[1]);
        Assert.Equal("a=1; b=2; c=3", values[2]);
        Assert.Equal("1|a b|", values[3]);
        Assert.Equal("", values[4]);
        Assert.Equal("1", values[5]);
    }

    private static Task FirstHandler(Http2Request request, Http2Response response) => Task.CompletedTask;

    private static Task SecondHandler(Http2Request request, Http2Response response) => Task.CompletedTask;
}
