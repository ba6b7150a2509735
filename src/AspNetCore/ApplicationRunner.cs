using System.Collections.Concurrent;
using Http2Lab.AspNetCore.Features;
using Http2Lab.Http2.Application;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;

namespace Http2Lab.AspNetCore;

/// <summary>
/// Runs an ASP.NET Core application for each HTTP/2 request: pooled <see cref="StreamFeatures{TContext}"/> (and with
/// them the application's HttpContext), <c>CreateContext</c> / <c>ProcessRequestAsync</c> / <c>DisposeContext</c>
/// — the hosting layer's activity and <c>http.server.request.duration</c> come from those — and the response's end.
/// </summary>
internal sealed class ApplicationRunner<TContext>(IHttpApplication<TContext> application, long? maxRequestBodySize, ILogger logger)
    where TContext : notnull
{
    // Enough for every stream of many busy connections; beyond it a request simply allocates its own.
    private const int MaxPooled = 1024;
    private readonly ConcurrentQueue<StreamFeatures<TContext>> _pool = new();
    private int _pooled;

    public async Task HandleAsync(Http2Request request, Http2Response response)
    {
        StreamFeatures<TContext> features = Rent();
        features.Initialize(request, response, maxRequestBodySize);
        Exception? failure = null;
        TContext context = application.CreateContext(features);
        try
        {
            await application.ProcessRequestAsync(context).ConfigureAwait(false);
            await features.CompleteResponseAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            if (request.Stream.IsAborted)
            {
                ServerLog.ApplicationAborted(logger, ex, features.TraceIdentifier);
            }
            else
            {
                ServerLog.ApplicationError(logger, ex, request.Stream.Connection.Context.ConnectionId, features.TraceIdentifier);
                await FailQuietlyAsync(features, ex).ConfigureAwait(false);
            }
        }
        finally
        {
            await features.FireOnCompletedAsync().ConfigureAwait(false);
            application.DisposeContext(context, failure);
            features.Reset();
            Return(features);
        }
    }

    private static async Task FailQuietlyAsync(StreamFeatures features, Exception exception)
    {
        try
        {
            await features.FailResponseAsync(exception).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The stream went while we answered: nobody is left to tell.
        }
    }

    private StreamFeatures<TContext> Rent()
    {
        if (_pool.TryDequeue(out StreamFeatures<TContext>? features))
        {
            Interlocked.Decrement(ref _pooled);
            return features;
        }

        return new StreamFeatures<TContext>(logger);
    }

    private void Return(StreamFeatures<TContext> features)
    {
        if (Interlocked.Increment(ref _pooled) <= MaxPooled)
        {
            _pool.Enqueue(features);
        }
        else
        {
            Interlocked.Decrement(ref _pooled);
        }
    }
}
