using System.Buffers;
using System.IO.Pipelines;
using Http2Lab.Http2.Frames;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// Ties one HTTP/2 stream to the handler running for it: the request body pipe fed by the session,
/// response writes that wait for window, and the abort signal. Every session call enters the connection's gate.
/// Reused for the connection's next streams with its request, response, header list and body pipe
/// (<see cref="TryRecycle"/>), so a request costs no objects of its own here.
/// </summary>
internal sealed class Http2StreamContext
{
    // No writer pause: the session's receive window already bounds what can be buffered here. Continuations
    // resume on the connection's synchronization context when it has one (the poll loop).
    private static readonly PipeOptions BodyPipeOptions = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: true);

    private readonly Http2ConnectionProcessor _connection;
    private readonly Http2RequestHandler _handler;
    private readonly ILogger _logger;
    // A request that ended with its headers (most GETs) uses neither the body pipe nor, unless the handler asks for
    // its abort token, a CancellationTokenSource: two of the larger objects of a request. The pipe, once made, is kept
    // for the streams this object serves later.
    private Pipe? _body;
    private RequestBodyStream? _bodyStream;
    private bool _bodyInUse;
    private CancellationTokenSource? _aborted;
    private volatile bool _abortRequested;
    private TaskCompletionSource? _writable;
    private bool _bodyComplete;

    public Http2StreamContext(Http2ConnectionProcessor connection, Http2RequestHandler handler, ILogger logger)
    {
        _connection = connection;
        _handler = handler;
        _logger = logger;
        Request = new Http2Request(this);
        Response = new Http2Response(this, connection.AddDateHeader);
    }

    /// <summary>Binds this object to a new stream whose request headers just arrived (inside the gate).</summary>
    public void Start(int streamId, Session.Http2RequestHead head, bool endStream)
    {
        StreamId = streamId;
        StartedAt = TimeProvider.System.GetTimestamp();
        _bodyComplete = endStream;
        _bodyInUse = !endStream;
        if (endStream)
        {
            RequestBody = Stream.Null;
        }
        else
        {
            _body ??= new Pipe(BodyPipeOptions);
            RequestBody = _bodyStream ??= new RequestBodyStream(this, _body.Reader);
        }

        Request.Start(head);
        // RFC 9110 §9.3.2: a response to HEAD never has content, whatever answers it (404, 405, 500 too).
        Response.Start(suppressBody: head.Method == "HEAD");
    }

    /// <summary>
    /// Called inside the gate once the handler has finished: true when this object may serve another stream. Not when
    /// the stream was aborted (a token's cancellation may still be on its way) or when work of the response may still
    /// run (a queued send of a held-back write); such an object is left to the garbage collector.
    /// </summary>
    public bool TryRecycle()
    {
        if (IsAborted || _abortRequested || Request.HasScope || !Response.TryReset())
        {
            return false;
        }

        if (_bodyInUse)
        {
            // The reader was completed when the handler finished; the writer may not be (an unread body, §8.1).
            CompleteBody(null);
            _body!.Reset();
            _bodyInUse = false;
        }

        // Tokens handed out stay with the old source, which is never cancelled now.
        _aborted = null;
        _writable = null;
        RequestTrailers = null;
        RequestBody = Stream.Null;
        Request.Reset();
        return true;
    }

    public int StreamId { get; private set; }

    /// <summary>The connection the stream belongs to.</summary>
    public Http2ConnectionProcessor Connection => _connection;

    /// <summary>When the request headers arrived (a <see cref="TimeProvider"/> timestamp).</summary>
    public long StartedAt { get; private set; }

    public Http2Request Request { get; }

    public Http2Response Response { get; }

    public Stream RequestBody { get; private set; } = Stream.Null;

    public IReadOnlyList<KeyValuePair<string, string>>? RequestTrailers { get; private set; }

    /// <summary>Fires when the stream is reset or the connection goes; created on first use.</summary>
    public CancellationToken Aborted
    {
        get
        {
            if (_abortRequested)
            {
                return new CancellationToken(canceled: true);
            }

            CancellationTokenSource source = _aborted ?? Interlocked.CompareExchange(ref _aborted, new CancellationTokenSource(), null) ?? _aborted!;
            if (_abortRequested)
            {
                // OnReset ran while the source was being created and may not have seen it.
                ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), source, preferLocal: false);
            }

            return source.Token;
        }
    }

    public bool IsAborted { get; private set; }

    /// <summary>True once the request has been fully received (END_STREAM).</summary>
    public bool RequestComplete => _bodyComplete && !IsAborted;

    // ---- called by the connection inside its gate ----

    public void OnData(ReadOnlySpan<byte> data, bool endStream)
    {
        if (!data.IsEmpty && !_bodyComplete)
        {
            _body!.Writer.Write(data);
            _ = _body.Writer.FlushAsync(); // completes synchronously: the pipe never pauses the writer
        }

        if (endStream)
        {
            CompleteBody(null);
        }
    }

    public void OnTrailers(IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        RequestTrailers = trailers;
        CompleteBody(null);
    }

    public void OnReset(Http2ErrorCode errorCode)
    {
        if (errorCode == Http2ErrorCode.NoError && Response.IsCompleted)
        {
            // §8.1: we finished the response before the request; nothing failed.
            CompleteBody(null);
            return;
        }

        IsAborted = true;
        CompleteBody(new IOException($"The stream was reset ({errorCode})."));
        _writable?.TrySetException(new IOException($"The stream was reset ({errorCode})."));
        _writable = null;
        _abortRequested = true; // volatile write, then read the source: a token created meanwhile is cancelled by its creator
        if (Interlocked.CompareExchange(ref _aborted, null, null) is { } aborted)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), aborted, preferLocal: false);
        }
    }

    public void OnWritable()
    {
        _writable?.TrySetResult();
        _writable = null;
    }

    // ---- called by the handler: each enters the gate for its session calls, without allocating on the way ----

    public async ValueTask AcknowledgeBodyAsync(int octets)
    {
        await _connection.EnterAsync().ConfigureAwait(false);
        try
        {
            _connection.Session.AcknowledgeData(StreamId, octets);
        }
        finally
        {
            _connection.Gate.Exit();
        }
    }

    public async ValueTask SendHeadersAsync(int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        await _connection.EnterAsync().ConfigureAwait(false);
        bool alive;
        try
        {
            alive = _connection.Session.SendHeaders(StreamId, status, headers, endStream);
        }
        finally
        {
            _connection.Gate.Exit();
        }

        if (!alive)
        {
            ThrowAborted();
        }
    }

    public async ValueTask SendTrailersAsync(IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        await _connection.EnterAsync().ConfigureAwait(false);
        bool alive;
        try
        {
            alive = _connection.Session.SendTrailers(StreamId, trailers);
        }
        finally
        {
            _connection.Gate.Exit();
        }

        if (!alive)
        {
            ThrowAborted();
        }
    }

    /// <summary>Headers and the first data inside the gate at once, so they leave in the same flush.</summary>
    public async ValueTask SendHeadersAndDataAsync(int status, IReadOnlyList<KeyValuePair<string, string>> headers,
        ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        await _connection.EnterAsync().ConfigureAwait(false);
        int accepted = 0;
        bool alive;
        try
        {
            alive = _connection.Session.SendHeaders(StreamId, status, headers, endStream: false)
                && _connection.Session.TryWriteData(StreamId, data.Span, endStream, out accepted);
        }
        finally
        {
            _connection.Gate.Exit();
        }

        if (!alive)
        {
            ThrowAborted();
        }

        if (accepted < data.Length)
        {
            await WriteDataAsync(data[accepted..], endStream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A response encoded beforehand; what the windows do not take now follows as DATA with END_STREAM.</summary>
    public async ValueTask SendPrebuiltAsync(Session.PrebuiltResponse response, ReadOnlyMemory<byte> body)
    {
        await _connection.EnterAsync().ConfigureAwait(false);
        bool alive;
        int sent;
        try
        {
            alive = _connection.Session.SendPrebuilt(StreamId, response, out sent);
        }
        finally
        {
            _connection.Gate.Exit();
        }

        if (!alive)
        {
            ThrowAborted();
        }

        if (sent < body.Length)
        {
            await WriteDataAsync(body[sent..], endStream: true, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _connection.EnterAsync().ConfigureAwait(false);
            Task? wait = null;
            bool alive;
            int accepted;
            try
            {
                alive = _connection.Session.TryWriteData(StreamId, data.Span, endStream, out accepted);
                if (alive && accepted < data.Length)
                {
                    // Armed inside the gate, so OnWritable cannot slip in between.
                    _writable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _writable.Task;
                }
            }
            finally
            {
                _connection.Gate.Exit();
            }

            if (!alive)
            {
                ThrowAborted();
            }

            data = data[accepted..];
            if (wait is null)
            {
                return;
            }

            // Resumes on the connection's synchronization context when it has one (the poll loop).
            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Resets the stream with <paramref name="errorCode"/> (RST_STREAM) and fires the abort signal.</summary>
    public async ValueTask ResetAsync(Http2ErrorCode errorCode)
    {
        await _connection.EnterAsync().ConfigureAwait(false);
        try
        {
            if (!IsAborted)
            {
                _connection.Session.ResetStream(StreamId, errorCode);
                OnReset(errorCode == Http2ErrorCode.NoError ? Http2ErrorCode.Cancel : errorCode);
            }
        }
        finally
        {
            _connection.Gate.Exit();
        }
    }

    public async Task RunAsync()
    {
        try
        {
            Response.BeginSynchronousPart();
            Task handling = _handler(Request, Response);
            if (Response.EndSynchronousPart() && !handling.IsCompleted)
            {
                // The handler wrote a little and now waits (an event stream): what it wrote goes out now, not when
                // it writes again or returns. A handler that wrote and returned keeps HEADERS + DATA in one flush.
                await Response.SendHeldAsync();
            }

            await handling;
            await Response.CompleteAsync();
        }
        catch (Exception) when (IsAborted)
        {
            // The client reset the stream or the connection went away: nobody to answer.
        }
        catch (Exception ex)
        {
            Http2ConnectionLog.HandlerFailed(_logger, ex, StreamId, Request.Method, Request.PathAndQuery);
            bool withdrawn = await Response.TryWithdrawAsync(); // a held-back write gives way to a clean 500
            await _connection.EnterAsync();
            try
            {
                if (withdrawn)
                {
                    KeyValuePair<string, string>[] fields = Response.AddsDate
                        ? [new("content-length", "0"), new("date", DateHeader.Value)]
                        : [new("content-length", "0")];
                    _connection.Session.SendHeaders(StreamId, 500, fields, endStream: true);
                }
                else
                {
                    _connection.Session.ResetStream(StreamId, Http2ErrorCode.InternalError);
                }
            }
            finally
            {
                _connection.Gate.Exit();
            }
        }
        finally
        {
            if (_bodyInUse)
            {
                _body!.Reader.Complete();
            }

            await _connection.EnterAsync();
            try
            {
                _connection.OnHandlerFinished(this);
            }
            finally
            {
                _connection.Gate.Exit();
            }
        }
    }

    private void CompleteBody(Exception? error)
    {
        if (!_bodyComplete)
        {
            _bodyComplete = true;
            if (_bodyInUse)
            {
                _body!.Writer.Complete(error);
            }
        }
    }

    private void ThrowAborted()
    {
        IsAborted = true;
        throw new IOException($"HTTP/2 stream {StreamId} was reset or the connection closed.");
    }
}
