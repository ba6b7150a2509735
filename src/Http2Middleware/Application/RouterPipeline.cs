using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// What runs around the <see cref="Http2Router"/> for each request: the request's DI scope (disposed when the handler
/// finishes), a server span on the <c>Http2Lab</c> activity source, the <c>http2lab.request.duration</c> measurement
/// and the handler's log scope. Only the router's path has it: the ASP.NET Core server brings its own span, metric and
/// scope. With nothing listening and no scope asked for, a request costs a few flag reads and no allocation.
/// </summary>
internal sealed class RouterPipeline
{
    private static readonly HashSet<string> KnownMethods =
        new(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"], StringComparer.Ordinal);

    private readonly Http2RequestHandler _router;
    private readonly Http2Metrics _metrics;
    private readonly ILogger _scopeLogger;

    public RouterPipeline(Http2RequestHandler router, Http2Metrics metrics, ILogger scopeLogger)
    {
        _router = router;
        _metrics = metrics;
        _scopeLogger = scopeLogger;
    }

    public Task HandleAsync(Http2Request request, Http2Response response)
    {
        if (Http2Telemetry.Source.HasListeners() || _metrics.RequestDurationEnabled)
        {
            return ObservedAsync(request, response);
        }

        // No span, no measurement: no state machine either unless the handler goes asynchronous or made a DI scope.
        IDisposable? logScope = BeginLogScope(request);
        Task handling;
        try
        {
            handling = _router(request, response);
        }
        catch
        {
            logScope?.Dispose();
            _ = request.DisposeScopeAsync().AsTask();
            throw;
        }

        if (handling.IsCompletedSuccessfully && !request.HasScope)
        {
            logScope?.Dispose();
            return handling;
        }

        return FinishAsync(handling, request, logScope);
    }

    private static async Task FinishAsync(Task handling, Http2Request request, IDisposable? logScope)
    {
        try
        {
            await handling;
        }
        finally
        {
            logScope?.Dispose();
            await request.DisposeScopeAsync();
        }
    }

    // Only when logging is on at all (as ASP.NET Core's hosting scope); Logging:LogLevel:Http2Lab.Http2.Requests=None
    // turns it off.
    private IDisposable? BeginLogScope(Http2Request request) =>
        _scopeLogger.IsEnabled(LogLevel.Critical) ? _scopeLogger.BeginScope(new RequestLogScope(request)) : null;

    private async Task ObservedAsync(Http2Request request, Http2Response response)
    {
        Activity? activity = StartActivity(request);
        IDisposable? logScope = BeginLogScope(request);
        Exception? failure = null;
        try
        {
            await _router(request, response);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            // A handler that threw is answered 500 (or reset) after this; that is what it is recorded as.
            int status = failure is null ? response.StatusCode : 500;
            if (activity is not null)
            {
                activity.SetTag("http.response.status_code", status);
                if (failure is not null)
                {
                    activity.SetTag("error.type", failure.GetType().FullName);
                    activity.SetStatus(ActivityStatusCode.Error);
                }
                else if (status >= 500)
                {
                    // Semantic conventions: a server span is an error for 5xx only.
                    activity.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    activity.SetStatus(ActivityStatusCode.Error);
                }

                activity.Dispose();
            }

            if (_metrics.RequestDurationEnabled)
            {
                double seconds = TimeProvider.System.GetElapsedTime(request.Stream.StartedAt).TotalSeconds;
                _metrics.RequestFinished(seconds, MethodTag(request.Method), status, request.Scheme);
            }

            logScope?.Dispose();
            await request.DisposeScopeAsync();
        }
    }

    private static Activity? StartActivity(Http2Request request)
    {
        if (!Http2Telemetry.Source.HasListeners())
        {
            return null;
        }

        // W3C Trace Context: a caller's traceparent (and tracestate) makes this span its child.
        ActivityContext parent = default;
        if (request.GetHeader("traceparent") is { } traceParent)
        {
            _ = ActivityContext.TryParse(traceParent, request.GetHeader("tracestate"), isRemote: true, out parent);
        }

        Activity? activity = Http2Telemetry.Source.StartActivity(Http2Telemetry.ActivityName, ActivityKind.Server, parent);
        if (activity is null)
        {
            return null;
        }

        string method = MethodTag(request.Method);
        activity.DisplayName = method == "_OTHER" ? "HTTP" : method;
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("http.request.method", method);
            activity.SetTag("url.path", request.Path);
            activity.SetTag("url.scheme", request.Scheme);
            activity.SetTag("server.address", request.Authority);
        }

        return activity;
    }

    // Methods are the client's to choose; as the semantic conventions say, unknown ones are one value, not many.
    private static string MethodTag(string method) => KnownMethods.Contains(method) ? method : "_OTHER";
}
