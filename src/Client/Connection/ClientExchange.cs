using System.Buffers;
using System.IO.Pipelines;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Client.Connection;

/// <summary>
/// One request and its response on a connection: the response head as a task, the body as a pipe filled by the
/// session's callbacks (under the connection's lock, so never blocking: flow control bounds what the pipe holds),
/// and the request body pump that waits for window.
/// </summary>
internal sealed class ClientExchange
{
    private readonly Http2ClientConnection _connection;
    private readonly TaskCompletionSource<Http2ClientResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Pipe _body = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly AsyncSignal _writable = new();
    private readonly bool _decompress;
    private int _finished; // the response ended (either way) or the application gave up on it

    public ClientExchange(Http2ClientConnection connection, bool decompress)
    {
        _connection = connection;
        _decompress = decompress;
        Body = new ResponseBodyStream(this, _body.Reader);
    }

    public int StreamId { get; set; }

    public Task<Http2ClientResponse> Response => _response.Task;

    public Stream Body { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; private set; } = [];

    /// <summary>Set when the request failed unprocessed (refused): the caller may retry it elsewhere.</summary>
    public bool Refused { get; private set; }

    private bool IsFinished => Volatile.Read(ref _finished) != 0;

    // ---- from the session (connection lock held) ----

    public void OnResponse(int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        if (endStream)
        {
            Finish();
        }

        _response.TrySetResult(new Http2ClientResponse(this, status, headers, _decompress));
    }

    public void OnData(ReadOnlySpan<byte> data, bool endStream)
    {
        if (!data.IsEmpty)
        {
            _body.Writer.Write(data);
            _ = _body.Writer.FlushAsync(); // never pauses (no threshold): completes at once
        }

        if (endStream)
        {
            Finish();
        }
    }

    public void OnTrailers(IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        Trailers = trailers;
        Finish();
    }

    public void OnReset(Http2ClientException error)
    {
        Refused = error.IsRefused;
        Interlocked.Exchange(ref _finished, 1);
        _response.TrySetException(error);
        _body.Writer.Complete(error);
        _writable.Set();
    }

    public void OnWritable() => _writable.Set();

    private void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _body.Writer.Complete();
        }
    }

    // ---- from the application ----

    /// <summary>The application consumed <paramref name="octets"/> of body.</summary>
    public void Acknowledge(int octets) => _connection.Acknowledge(StreamId, octets);

    /// <summary>The request is cancelled: RST_STREAM CANCEL (§8.7), and the caller sees the cancellation.</summary>
    public void Cancel(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _connection.Reset(StreamId, Http2ErrorCode.Cancel);
            var canceled = new OperationCanceledException("the request was cancelled (RST_STREAM CANCEL)", cancellationToken);
            _response.TrySetException(canceled);
            _body.Writer.Complete(canceled);
            _writable.Set();
        }
    }

    /// <summary>The response is disposed: a body still arriving is reset with CANCEL.</summary>
    public void Abandon()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            _connection.Reset(StreamId, Http2ErrorCode.Cancel);
            _body.Writer.Complete();
        }

        _body.Reader.Complete();
    }

    /// <summary>Sends the request body (and trailers) as the windows allow.</summary>
    public async Task SendBodyAsync(Http2ClientRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Content is { } content)
            {
                await WriteAsync(content, cancellationToken).ConfigureAwait(false);
            }
            else if (request.ContentStream is { } stream)
            {
                byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    int n;
                    while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0 && !IsFinished)
                    {
                        await WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                }
            }

            _connection.EndRequest(StreamId, request.Trailers.Count > 0 ? [.. request.Trailers] : null);
        }
        catch (OperationCanceledException)
        {
            Cancel(cancellationToken);
        }
        catch (Exception ex)
        {
            // The body could not be read: the server must not take a truncated request as complete.
            _connection.Reset(StreamId, Http2ErrorCode.Cancel);
            OnReset(new Http2ClientException("reading the request body failed: " + ex.Message, ex));
        }
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty && !IsFinished)
        {
            int accepted = _connection.Write(StreamId, data.Span, out bool alive);
            if (!alive)
            {
                return;
            }

            data = data[accepted..];
            if (!data.IsEmpty)
            {
                await _writable.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
