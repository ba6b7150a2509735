using Http2Lab.AspNetCore;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// The response side: status, headers and their OnStarting callbacks, the body as a stream and a pipe writer (both
/// ending in <see cref="Http2Response"/>, which waits for flow-control window), trailers, completion.
/// </summary>
internal abstract partial class StreamFeatures : IHttpResponseFeature, IHttpResponseBodyFeature, IHttpResponseTrailersFeature
{
    private readonly HeaderDictionary _responseHeaders = new();
    private readonly HeaderDictionary _responseTrailers = new();
    private readonly ResponseBodyWriter _writer;
    private readonly ServerResponseStream _responseStream;
    private readonly List<(Func<object, Task> Callback, object State)> _onStarting = [];
    private readonly List<(Func<object, Task> Callback, object State)> _onCompleted = [];
    private IHeaderDictionary? _responseHeadersOverride;
    private IHeaderDictionary? _responseTrailersOverride;
    private Stream? _responseBodyOverride;
    private int _statusCode = StatusCodes.Status200OK;
    private bool _completed;

    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            _statusCode = value;
        }
    }

    public string? ReasonPhrase { get; set; } // HTTP/2 has no reason phrase (RFC 9113 §8.3.2); kept for code that sets it

    IHeaderDictionary IHttpResponseFeature.Headers
    {
        get => _responseHeadersOverride ?? _responseHeaders;
        set => _responseHeadersOverride = value;
    }

    Stream IHttpResponseFeature.Body
    {
        get => _responseBodyOverride ?? _responseStream;
        set => _responseBodyOverride = value;
    }

    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state)
    {
        ThrowIfStarted();
        _onStarting.Add((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => _onCompleted.Add((callback, state));

    // ---- IHttpResponseBodyFeature ----

    Stream IHttpResponseBodyFeature.Stream => _responseStream;

    System.IO.Pipelines.PipeWriter IHttpResponseBodyFeature.Writer => _writer;

    public void DisableBuffering()
    {
        // Nothing to disable: every flush is sent, and writes go out as the client's window allows.
    }

    /// <summary>
    /// Starts the response: OnStarting runs, status and headers are fixed. As on Kestrel, they leave with the next
    /// flush or the end of the response (so HEADERS, DATA and END_STREAM of a small response share one write).
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => EnsureStartedAsync().AsTask();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(_responseStream, path, offset, count, cancellationToken);

    public Task CompleteAsync() => CompleteResponseAsync();

    // ---- IHttpResponseTrailersFeature ----

    IHeaderDictionary IHttpResponseTrailersFeature.Trailers
    {
        get => _responseTrailersOverride ?? _responseTrailers;
        set => _responseTrailersOverride = value;
    }

    // ---- for the body writer and the application runner ----

    /// <summary>Sends body octets: starts the response first (OnStarting, status and headers fixed).</summary>
    internal async ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response has completed; nothing more can be written.");
        }

        await EnsureStartedAsync().ConfigureAwait(false);
        if (!data.IsEmpty)
        {
            await Response.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        else if (!Response.HasStarted)
        {
            // A flush with nothing new: what the response holds back (headers, a small first write) goes now.
            await Response.StartAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends the response after the application: what the writer holds, trailers, END_STREAM.</summary>
    internal async Task CompleteResponseAsync()
    {
        if (_completed)
        {
            return;
        }

        if (_writer.UnflushedBytes > 0)
        {
            await _writer.FlushAsync().ConfigureAwait(false); // an empty flush here would send the headers on their own
        }

        await EnsureStartedAsync().ConfigureAwait(false);
        _completed = true;
        if (_responseTrailersOverride is { } trailers)
        {
            foreach (KeyValuePair<string, StringValues> field in trailers)
            {
                AppendTrailer(field);
            }
        }
        else if (_responseTrailers.Count > 0)
        {
            foreach (KeyValuePair<string, StringValues> field in _responseTrailers) // the struct enumerator: no allocation
            {
                AppendTrailer(field);
            }
        }

        await Response.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The application failed: a response not yet started becomes an empty 500 (as Kestrel's; a
    /// <see cref="BadHttpRequestException"/>'s own status, e.g. 413 for a body over the limit); one already started
    /// can only be cut off (RST_STREAM INTERNAL_ERROR, RFC 9113 §8.1).
    /// </summary>
    internal async Task FailResponseAsync(Exception exception)
    {
        if (_completed || StreamContext.IsAborted)
        {
            return;
        }

        if (HasStarted || Response.HasStarted)
        {
            _completed = true;
            await StreamContext.ResetAsync(Http2Lab.Http2.Frames.Http2ErrorCode.InternalError).ConfigureAwait(false);
            return;
        }

        _writer.Discard();
        _responseHeaders.Clear();
        _responseHeadersOverride = null;
        _responseTrailers.Clear();
        _onStarting.Clear();
        _statusCode = exception is BadHttpRequestException badRequest ? badRequest.StatusCode : StatusCodes.Status500InternalServerError;
        _responseHeaders.ContentLength = 0;
        await CompleteResponseAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the OnCompleted callbacks, last registered first; a failing one is logged and the rest still run.</summary>
    internal async Task FireOnCompletedAsync()
    {
        for (int i = _onCompleted.Count - 1; i >= 0; i--)
        {
            try
            {
                await _onCompleted[i].Callback(_onCompleted[i].State).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ServerLog.CallbackFailed(Logger, ex, "OnCompleted", TraceIdentifier);
            }
        }
    }

    private async ValueTask EnsureStartedAsync()
    {
        if (HasStarted)
        {
            return;
        }

        // Last registered first, as Kestrel does: a middleware's callback sees what the inner ones set.
        for (int i = _onStarting.Count - 1; i >= 0; i--)
        {
            await _onStarting[i].Callback(_onStarting[i].State).ConfigureAwait(false);
        }

        HasStarted = true;
        _responseHeaders.IsReadOnly = true;
        Http2Response response = Response;
        response.StatusCode = _statusCode is >= 200 and <= 999
            ? _statusCode
            : throw new InvalidOperationException($"Status code {_statusCode} cannot be sent: HTTP/2 final responses are 200..999 and 1xx responses are not supported.");
        if (_responseHeadersOverride is { } replaced)
        {
            foreach (KeyValuePair<string, StringValues> field in replaced)
            {
                AddHeader(response, field);
            }
        }
        else
        {
            foreach (KeyValuePair<string, StringValues> field in _responseHeaders) // the struct enumerator: no allocation
            {
                AddHeader(response, field);
            }
        }
    }

    private static void AddHeader(Http2Response response, KeyValuePair<string, StringValues> field)
    {
        string name = HeaderNames.ToLower(field.Key);
        if (HeaderFieldRules.IsConnectionSpecific(name))
        {
            return; // RFC 9113 §8.2.2: HTTP/1.1 framing fields (often set by code written for it) are not sent
        }

        foreach (string? value in field.Value)
        {
            if (value is not null)
            {
                response.AddHeader(name, value);
            }
        }
    }

    private void AppendTrailer(KeyValuePair<string, StringValues> field)
    {
        string name = HeaderNames.ToLower(field.Key);
        foreach (string? value in field.Value)
        {
            if (value is not null)
            {
                Response.AppendTrailer(name, value);
            }
        }
    }

    private void ResetResponse()
    {
        _responseHeaders.IsReadOnly = false;
        _responseHeaders.Clear();
        _responseTrailers.Clear();
        _responseHeadersOverride = null;
        _responseTrailersOverride = null;
        _responseBodyOverride = null;
        _onStarting.Clear();
        _onCompleted.Clear();
        _statusCode = StatusCodes.Status200OK;
        ReasonPhrase = null;
        HasStarted = false;
        _completed = false;
        _writer.Reset();
    }

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }
    }
}
