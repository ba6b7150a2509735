using System.Text;

namespace Http2Lab.Http2.Application;

/// <summary>
/// The response a handler writes: status and headers (sent with the first write or at the end),
/// a body in any number of pieces, and optional trailers. Writes wait for the client's flow-control
/// window instead of buffering without bound.
/// </summary>
public sealed class Http2Response
{
    private readonly Http2StreamContext _stream;
    private readonly List<KeyValuePair<string, string>> _headers = [];
    private List<KeyValuePair<string, string>>? _trailers;
    private int _statusCode = 200;

    internal Http2Response(Http2StreamContext stream) => _stream = stream;

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

    /// <summary>Whether the header section has been sent.</summary>
    public bool HasStarted { get; private set; }

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
    public Task StartAsync() => FlushDeferredAsync(endStream: false, CancellationToken.None).AsTask();

    /// <summary>Writes body octets, waiting while the client's window is closed.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (IsCompleted)
        {
            throw new InvalidOperationException("The response is complete.");
        }

        if (!HasStarted && _deferred is null && data.Length <= MaxDeferredLength)
        {
            // Hold a small first write back: if the handler then returns, HEADERS and one
            // DATA frame with END_STREAM go out together.
            _deferred = SuppressBody ? [] : data.ToArray();
            return;
        }

        await FlushDeferredAsync(endStream: false, cancellationToken);
        if (!SuppressBody && !data.IsEmpty)
        {
            await _stream.WriteDataAsync(data, endStream: false, cancellationToken);
        }
    }

    private const int MaxDeferredLength = 4096;
    private byte[]? _deferred;

    private async ValueTask FlushDeferredAsync(bool endStream, CancellationToken cancellationToken)
    {
        if (HasStarted)
        {
            return;
        }

        HasStarted = true;
        byte[] deferred = _deferred ?? [];
        _deferred = null;
        if (endStream && !SuppressBody && !_headers.Exists(h => h.Key == "content-length"))
        {
            // The whole body is known: say how long it is.
            _headers.Add(new("content-length", deferred.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (deferred.Length == 0 && !endStream)
        {
            await _stream.SendHeadersAsync(_statusCode, _headers, endStream: false);
            return;
        }

        await _stream.SendHeadersAndDataAsync(_statusCode, _headers, deferred, endStream, cancellationToken);
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
        if (_deferred is not null)
        {
            await FlushDeferredAsync(endStream: !hasTrailers, CancellationToken.None);
            if (hasTrailers)
            {
                await _stream.SendTrailersAsync(_trailers!);
            }

            return;
        }

        if (!HasStarted)
        {
            HasStarted = true;
            await _stream.SendHeadersAsync(_statusCode, _headers, endStream: !hasTrailers);
            if (!hasTrailers)
            {
                return;
            }
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

    private void ThrowIfStarted()
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has started; status and headers can no longer change.");
        }
    }
}
