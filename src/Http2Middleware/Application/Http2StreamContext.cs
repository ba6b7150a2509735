using System.Buffers;
using System.IO.Pipelines;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// Ties one HTTP/2 stream to the handler running for it: the request body pipe fed by the session,
/// response writes that wait for window, and the abort signal.
/// </summary>
internal sealed class Http2StreamContext
{
    // No writer pause: the session's receive window already bounds what can be buffered here.
    private static readonly PipeOptions BodyPipeOptions = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false);

    private readonly Http2Connection _connection;
    private readonly Pipe _body = new(BodyPipeOptions);
    private readonly CancellationTokenSource _aborted = new();
    private TaskCompletionSource? _writable;
    private bool _bodyComplete;

    public Http2StreamContext(Http2Connection connection, int streamId, Http2RequestHead head, bool endStream)
    {
        _connection = connection;
        StreamId = streamId;
        RequestBody = new RequestBodyStream(this, _body.Reader);
        Request = new Http2Request(this, head);
        // RFC 9110 §9.3.2: a response to HEAD never has content, whatever answers it (404, 405, 500 too).
        Response = new Http2Response(this) { SuppressBody = head.Method == "HEAD" };
        if (endStream)
        {
            CompleteBody(null);
        }
    }

    public int StreamId { get; }

    /// <summary>When the request headers arrived (a <see cref="TimeProvider"/> timestamp).</summary>
    public long StartedAt { get; } = TimeProvider.System.GetTimestamp();

    public Http2Request Request { get; }

    public Http2Response Response { get; }

    public Stream RequestBody { get; }

    public IReadOnlyList<KeyValuePair<string, string>>? RequestTrailers { get; private set; }

    public CancellationToken Aborted => _aborted.Token;

    public bool IsAborted { get; private set; }

    /// <summary>True once the request has been fully received (END_STREAM).</summary>
    public bool RequestComplete => _bodyComplete && !IsAborted;

    // ---- called by the connection with its lock held ----

    public void OnData(ReadOnlySpan<byte> data, bool endStream)
    {
        if (!data.IsEmpty && !_bodyComplete)
        {
            _body.Writer.Write(data);
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
        ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), _aborted, preferLocal: false);
    }

    public void OnWritable()
    {
        _writable?.TrySetResult();
        _writable = null;
    }

    // ---- called by the handler ----

    // The hot paths below take the connection's lock directly rather than through a capturing lambda,
    // so a write allocates nothing.

    public void AcknowledgeBody(int octets)
    {
        lock (_connection.Sync)
        {
            _connection.Session.AcknowledgeData(StreamId, octets);
        }

        _connection.SignalOutput();
    }

    public void SendHeaders(int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        bool alive;
        lock (_connection.Sync)
        {
            alive = _connection.Session.SendHeaders(StreamId, status, headers, endStream);
        }

        _connection.SignalOutput();
        if (!alive)
        {
            ThrowAborted();
        }
    }

    public void SendTrailers(IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        bool alive;
        lock (_connection.Sync)
        {
            alive = _connection.Session.SendTrailers(StreamId, trailers);
        }

        _connection.SignalOutput();
        if (!alive)
        {
            ThrowAborted();
        }
    }

    /// <summary>Headers and the first data under one lock, so they leave in the same flush.</summary>
    public ValueTask SendHeadersAndDataAsync(int status, IReadOnlyList<KeyValuePair<string, string>> headers,
        ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        int accepted = 0;
        bool alive;
        lock (_connection.Sync)
        {
            alive = _connection.Session.SendHeaders(StreamId, status, headers, endStream: false)
                && _connection.Session.TryWriteData(StreamId, data.Span, endStream, out accepted);
        }

        _connection.SignalOutput();
        if (!alive)
        {
            ThrowAborted();
        }

        return accepted == data.Length ? ValueTask.CompletedTask : WriteDataAsync(data[accepted..], endStream, cancellationToken);
    }

    public async ValueTask WriteDataAsync(ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task? wait = TryWrite(ref data, endStream);
            if (wait is null)
            {
                return;
            }

            await wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Offers <paramref name="data"/> to the session; returns what to await when not all of it fit.</summary>
    private Task? TryWrite(ref ReadOnlyMemory<byte> data, bool endStream)
    {
        Task? wait = null;
        bool alive;
        int accepted;
        lock (_connection.Sync)
        {
            alive = _connection.Session.TryWriteData(StreamId, data.Span, endStream, out accepted);
            if (alive && accepted < data.Length)
            {
                // Armed under the lock, so OnWritable cannot slip in between.
                _writable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _writable.Task;
            }
        }

        _connection.SignalOutput();
        if (!alive)
        {
            ThrowAborted();
        }

        data = data[accepted..];
        return wait;
    }

    public async Task RunAsync(Http2RequestHandler handler, ILogger logger)
    {
        try
        {
            await handler(Request, Response);
            await Response.CompleteAsync();
        }
        catch (Exception) when (IsAborted)
        {
            // The client reset the stream or the connection went away: nobody to answer.
        }
        catch (Exception ex)
        {
            Http2ConnectionLog.HandlerFailed(logger, ex, StreamId, Request.Method, Request.PathAndQuery);
            _connection.Invoke(session =>
            {
                if (!Response.HasStarted)
                {
                    session.SendHeaders(StreamId, 500, [new("content-length", "0")], endStream: true);
                }
                else
                {
                    session.ResetStream(StreamId, Http2ErrorCode.InternalError);
                }
            });
        }
        finally
        {
            _body.Reader.Complete();
            _connection.OnHandlerFinished(this);
        }
    }

    private void CompleteBody(Exception? error)
    {
        if (!_bodyComplete)
        {
            _bodyComplete = true;
            _body.Writer.Complete(error);
        }
    }

    private void ThrowAborted()
    {
        IsAborted = true;
        throw new IOException($"HTTP/2 stream {StreamId} was reset or the connection closed.");
    }
}
