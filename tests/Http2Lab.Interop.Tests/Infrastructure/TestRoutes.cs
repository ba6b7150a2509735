using System.Collections.Concurrent;
using Http2Lab.Http2.Application;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>Routes the interop tests add to the demo routes.</summary>
public static class TestRoutes
{
    /// <summary>What <c>/throw-late</c> writes before it fails: more than any small-write coalescing holds back.</summary>
    public static readonly byte[] LateFailureBody = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("partial body, then the handler fails\n", 1000)));

    /// <summary>How long <c>/together</c> waits for the rest of its group before it answers 504.</summary>
    public static readonly TimeSpan RendezvousTimeout = TimeSpan.FromSeconds(5);

    private static readonly ConcurrentDictionary<string, Rendezvous> Groups = new();

    public static void Map(Http2Router router)
    {
        // GET /together?group=G&n=N answers 200 "together N" once N requests of group G are being handled at the
        // same time, or 504 after RendezvousTimeout. A proof that requests run concurrently that does not depend on
        // how long anything took: served one after another, every request of the group times out alone.
        router.MapGet("/together", async (request, response) =>
        {
            string? group = request.GetQueryValue("group");
            if (group is null || !int.TryParse(request.GetQueryValue("n"), out int size) || size is < 1 or > 100)
            {
                response.StatusCode = 400;
                await response.WriteAsync("group and n (1..100) are required\n");
                return;
            }

            Rendezvous rendezvous = Groups.GetOrAdd(group, _ => new Rendezvous(size));
            bool met = await rendezvous.ArriveAndWaitAsync(RendezvousTimeout, request.Aborted);
            response.SetHeader("content-type", "text/plain");
            response.StatusCode = met ? 200 : 504;
            await response.WriteAsync(met ? $"together {size}\n" : $"alone: {rendezvous.Arrived} of {size} arrived within {RendezvousTimeout.TotalSeconds} s\n");
        });

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

    private sealed class Rendezvous(int size)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public int Arrived => Volatile.Read(ref _arrived);

        public async Task<bool> ArriveAndWaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _arrived) >= size)
            {
                _all.TrySetResult();
            }

            try
            {
                await _all.Task.WaitAsync(timeout, cancellationToken);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }
}
