using System.Buffers;
using System.Text;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Application;

/// <summary>
/// The response a handler writes: status and headers (sent with the first write or at the end),
/// a body in any number of pieces, and optional trailers. Writes wait for the client's flow-control
/// window instead of buffering without bound. The object serves the connection's next streams once the handler
/// has returned: it must not be used after that.
/// </summary>
public sealed class Http2Response
{
    private readonly Http2StreamContext _stream;
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private List<KeyValuePair<string, string>>? _trailers;
    private int _statusCode = 200;

    private readonly bool _addDate;

    internal Http2Response(Http2StreamContext stream, bool addDate)
    {
        _stream = stream;
        _addDate = addDate;
    }

    /// <summary>Readies the (reused) object for a new stream.</summary>
    internal void Start(bool suppressBody) => SuppressBody = suppressBody;

    /// <summary>
    /// Clears the finished response for reuse; false when a queued send of a held-back write may still run, which
    /// would touch the next response.
    /// </summary>
    internal bool TryReset()
    {
        if (Volatile.Read(ref _queuedSend) != 0)
        {
            return false;
        }

        ReturnHeld(_held);
        _held = null;
        _heldLength = 0;
        _headers.Clear();
        _trailers = null; // not cleared: trailers waiting behind the body are still the session's to send
        _statusCode = 200;
        _state = NotStarted;
        _watched = 0;
        _backgroundSend = null;
        IsCompleted = false;
        SuppressBody = false;
        return true;
    }

    /// <summary>The status code; settable until the response has started.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted();
            if (value is < 200 or > 999)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "An HTTP/2 final status is 200..999 (1xx are not supported).");
            }

            _statusCode = value;
        }
    }

    /// <summary>Headers to send; names are lowercase.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>
    /// Whether the response has started: after <see cref="StartAsync"/>, <see cref="FlushAsync"/> or the first body
    /// write, status and headers can no longer change (a small first write may still be on its way out).
    /// </summary>
    public bool HasStarted => Volatile.Read(ref _state) != NotStarted;

    /// <summary>Set for HEAD requests served by a GET handler: headers are sent, body writes are dropped.</summary>
    public bool SuppressBody { get; internal set; }

    /// <summary>Whether the response has been completed.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>The body as a write-only stream.</summary>
    public Stream Body => field ??= new ResponseBodyStream(this);

    /// <summary>Adds a header field (§8.2: lowercase names, no connection-specific fields).</summary>
    public void AddHeader(string name, string value)
    {
        ThrowIfStarted();
        _headers.Add(HeaderRules.Validate(name, value));
    }

    /// <summary>Replaces every field named <paramref name="name"/> with one value.</summary>
    public void SetHeader(string name, string value)
    {
        ThrowIfStarted();
        KeyValuePair<string, string> field = HeaderRules.Validate(name, value);
        for (int i = _headers.Count - 1; i >= 0; i--)
        {
            if (_headers[i].Key == field.Key)
            {
                _headers.RemoveAt(i); // a loop, not RemoveAll: its lambda would capture the name (an allocation per call)
            }
        }

        _headers.Add(field);
    }

    /// <summary>Adds a trailer field, sent after the body.</summary>
    public void AppendTrailer(string name, string value)
    {
        if (IsCompleted)
        {
            throw new InvalidOperationException("The response is complete.");
        }

        (_trailers ??= []).Add(HeaderRules.Validate(name, value));
    }

    /// <summary>Sends the header section now, without body.</summary>
    public Task StartAsync() => FlushAsync().AsTask();

    /// <summary>
    /// Sends the header section and everything written so far now, instead of when the next write or the handler's
    /// return would. A handler that writes and then waits (an event stream) gets its bytes out without it:
    /// a held-back first write is sent as soon as the handler yields.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        await TryStartAsync(endStream: false, cancellationToken);
    }

    /// <summary>Writes body octets, waiting while the client's window is closed.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (IsCompleted)
        {
            throw new InvalidOperationException("The response is complete.");
        }

        if (_state == NotStarted && data.Length <= MaxHeldLength)
        {
            // Hold a small first write back: if the handler then returns, HEADERS and one DATA frame with
            // END_STREAM go out together. If it waits instead, the hold ends when it yields (RunAsync) or at once
            // on the thread pool (a write after the handler's first await).
            // Pooled: the copy goes back once sent (SendHeaderSectionAsync) or withdrawn.
            _heldLength = SuppressBody ? 0 : data.Length;
            _held = _heldLength == 0 ? [] : ArrayPool<byte>.Shared.Rent(_heldLength);
            data.Span[.._heldLength].CopyTo(_held);
            Interlocked.Exchange(ref _state, Held); // a full fence before reading _watched (see EndSynchronousPart)
            if (Volatile.Read(ref _watched) == 0)
            {
                Volatile.Write(ref _queuedSend, 1);
                ThreadPool.UnsafeQueueUserWorkItem(static response => _ = response.SendQueuedAsync(), this, preferLocal: true);
            }

            return;
        }

        await TryStartAsync(endStream: false, cancellationToken);
        if (!SuppressBody && !data.IsEmpty)
        {
            await _stream.WriteDataAsync(data, endStream: false, cancellationToken);
        }
    }

    /// <summary>Writes text as UTF-8.</summary>
    public ValueTask WriteAsync(string text, CancellationToken cancellationToken = default) =>
        WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Ends the response (END_STREAM, after trailers if any). Called for the handler when it returns.</summary>
    public async ValueTask CompleteAsync()
    {
        if (IsCompleted)
        {
            return;
        }

        IsCompleted = true;
        bool hasTrailers = _trailers is { Count: > 0 };
        if (await TryStartAsync(endStream: !hasTrailers, CancellationToken.None))
        {
            if (hasTrailers)
            {
                await _stream.SendTrailersAsync(_trailers!);
            }

            return;
        }

        if (hasTrailers)
        {
            await _stream.SendTrailersAsync(_trailers!);
        }
        else
        {
            await _stream.WriteDataAsync(ReadOnlyMemory<byte>.Empty, endStream: true, CancellationToken.None);
        }
    }

    /// <summary>
    /// Sends a whole response encoded beforehand (a <see cref="Handlers.ConstantHandler"/>'s): no header encoding
    /// and, when the windows allow, one copy of ready frames. Completes the response.
    /// </summary>
    internal async ValueTask SendPrebuiltAsync(PrebuiltResponse prebuilt, int statusCode, ReadOnlyMemory<byte> body)
    {
        if (IsCompleted || Interlocked.CompareExchange(ref _state, Sent, NotStarted) != NotStarted)
        {
            throw new InvalidOperationException("The response has started; a prebuilt response can only be the whole response.");
        }

        _statusCode = statusCode;
        IsCompleted = true;
        await _stream.SendPrebuiltAsync(prebuilt, body);
    }

    /// <summary>Whether this response gets a <c>date</c> field unless the handler sets one.</summary>
    internal bool AddsDate => _addDate;

    // ---- the held-back first write ----

    private const int MaxHeldLength = 4096;
    private const int NotStarted = 0; // status and headers may change
    private const int Held = 1;       // a small first write waits in _held
    private const int Sending = 2;    // the background send (after the handler yielded) is sending it
    private const int Sent = 3;       // the header section is sent or being sent by the handler's own call

    private int _state;
    private byte[]? _held; // pooled (or empty); the first _heldLength octets are the write
    private int _heldLength;
    private int _queuedSend; // 1 while a thread-pool send of the held-back write is queued or running
    private int _watched;
    private TaskCompletionSource? _backgroundSend;

    /// <summary>RunAsync is inside the handler's synchronous part: a write held back now is flushed when it returns.</summary>
    internal void BeginSynchronousPart() => _watched = 1;

    /// <summary>The handler returned (or yielded); true when a held-back write must now be sent by the caller.</summary>
    internal bool EndSynchronousPart()
    {
        // Dekker with WriteAsync: it publishes Held then reads _watched; this clears _watched then reads the state.
        // Each uses a full fence, so at least one of them sees the other and the write is never left behind.
        Interlocked.Exchange(ref _watched, 0);
        return Volatile.Read(ref _state) == Held;
    }

    /// <summary>
    /// Sends a held-back write while the handler runs on (it yielded after writing). Any call of the handler that
    /// needs the header section sent waits for this one.
    /// </summary>
    internal async Task SendHeldAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _backgroundSend, done, null) is not null)
        {
            return; // the other background sender has it (RunAsync and the thread pool can both be told)
        }

        if (Interlocked.CompareExchange(ref _state, Sending, Held) != Held)
        {
            done.SetResult(); // the handler sent it itself first
            return;
        }

        try
        {
            await SendHeaderSectionAsync(endStream: false, CancellationToken.None);
            Volatile.Write(ref _state, Sent);
            done.SetResult();
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _state, Sent);
            done.SetException(ex); // the handler's next call sees it
            _ = done.Task.Exception; // observed here too: a handler that never calls again is not an unobserved failure
        }
    }

    private async Task SendQueuedAsync()
    {
        await SendHeldAsync(); // never throws: a failure is kept for the handler's next call
        Volatile.Write(ref _queuedSend, 0);
    }

    /// <summary>
    /// Withdraws a held-back write nobody has sent (the handler failed after it): true when nothing of the response
    /// has gone out, so a 500 can still be sent.
    /// </summary>
    internal async ValueTask<bool> TryWithdrawAsync()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Sending)
            {
                await WaitForBackgroundSendAsync();
                continue;
            }

            if (state == Sent)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, Sent, state) == state)
            {
                ReturnHeld(_held);
                _held = null;
                return true;
            }
        }
    }

    /// <summary>Sends the header section (with the held-back write) unless it was; true when this call sent it.</summary>
    private async ValueTask<bool> TryStartAsync(bool endStream, CancellationToken cancellationToken)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Sent)
            {
                return false;
            }

            if (state == Sending)
            {
                await WaitForBackgroundSendAsync();
                continue;
            }

            if (Interlocked.CompareExchange(ref _state, Sent, state) == state)
            {
                break;
            }
        }

        await SendHeaderSectionAsync(endStream, cancellationToken);
        return true;
    }

    private async ValueTask WaitForBackgroundSendAsync()
    {
        // Set before the state became Sending, so it is there.
        await Volatile.Read(ref _backgroundSend)!.Task;
    }

    private async ValueTask SendHeaderSectionAsync(bool endStream, CancellationToken cancellationToken)
    {
        byte[]? held = _held;
        _held = null;
        try
        {
            if (_addDate && !Contains("date"))
            {
                // RFC 9110 §6.6.1: an origin server with a clock sends date.
                _headers.Add(new("date", DateHeader.Value));
            }

            if (held is null)
            {
                await _stream.SendHeadersAsync(_statusCode, _headers, endStream);
                return;
            }

            if (endStream && !SuppressBody && !Contains("content-length"))
            {
                // The whole body is known: say how long it is.
                _headers.Add(new("content-length", ContentLength.Text(_heldLength)));
            }

            if (_heldLength == 0 && !endStream)
            {
                await _stream.SendHeadersAsync(_statusCode, _headers, endStream: false);
                return;
            }

            await _stream.SendHeadersAndDataAsync(_statusCode, _headers, held.AsMemory(0, _heldLength), endStream, cancellationToken);
        }
        finally
        {
            ReturnHeld(held);
        }
    }

    private static void ReturnHeld(byte[]? held)
    {
        if (held is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(held);
        }
    }

    private bool Contains(string name)
    {
        foreach (KeyValuePair<string, string> field in _headers)
        {
            if (field.Key == name)
            {
                return true;
            }
        }

        return false;
    }

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has started; status and headers can no longer change.");
        }
    }
}
