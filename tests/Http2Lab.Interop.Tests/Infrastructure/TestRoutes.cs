using Http2Lab.Http2.Application;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>Routes the interop tests add to the demo routes.</summary>
public static class TestRoutes
{
    /// <summary>What <c>/throw-late</c> writes before it fails: more than any small-write coalescing holds back.</summary>
    public static readonly byte[] LateFailureBody = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("partial body, then the handler fails\n", 1000)));

    public static void Map(Http2Router router)
    {
        // Fails before anything is written: the server should answer 500.
        router.MapGet("/throw", (request, response) => throw new InvalidOperationException("test handler failed before writing"));

        // Fails after the response has started (headers sent, body under way): the only honest signal
        // left is a stream reset.
        router.MapGet("/throw-late", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            await response.StartAsync();
            await response.WriteAsync(LateFailureBody, request.Aborted);
            throw new InvalidOperationException("test handler failed after writing");
        });

        // The decoded (gzip undone) body as text, in UTF-8.
        router.MapPost("/gzip-echo-text", async (request, response) =>
        {
            string text = await request.ReadBodyAsTextAsync(request.Aborted);
            response.SetHeader("content-type", "text/plain; charset=utf-8");
            await response.WriteAsync(text, request.Aborted);
        });

        // A body followed by trailers.
        router.MapGet("/trailers", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            await response.WriteAsync("body before trailers\n");
            response.AppendTrailer("x-checksum", "abc123");
            response.AppendTrailer("x-items", "3");
        });
    }
}
