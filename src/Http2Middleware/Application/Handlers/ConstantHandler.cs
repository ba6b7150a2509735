using System.Globalization;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Application.Handlers;

/// <summary>
/// Answers every request with the same response: the payload and its header fields are prepared once, and a
/// response that fits one frame is encoded once (HPACK header block and frames laid out; with the <c>date</c> field,
/// once per second), so serving it is a copy. Map its <see cref="HandleAsync"/>:
/// <c>router.MapGet("/", new ConstantHandler("Hello World\n"u8.ToArray(), "text/plain").HandleAsync)</c>.
/// </summary>
public sealed class ConstantHandler
{
    private readonly byte[] _payload;
    private readonly int _statusCode;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly PrebuiltResponse? _withoutDate;
    private readonly PrebuiltResponse? _headWithoutDate;
    private Prebuilt? _withDate;

    /// <summary>Prepares the response.</summary>
    /// <param name="payload">The body (copied).</param>
    /// <param name="contentType">The <c>content-type</c>, e.g. <c>text/plain; charset=utf-8</c>.</param>
    /// <param name="statusCode">The status, 200 by default.</param>
    /// <param name="headers">More header fields (lowercase names, no connection-specific ones).</param>
    /// <exception cref="ArgumentException">A header field is not allowed in HTTP/2.</exception>
    public ConstantHandler(ReadOnlySpan<byte> payload, string contentType, int statusCode = 200, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        _payload = payload.ToArray();
        _statusCode = statusCode;
        List<KeyValuePair<string, string>> fields =
        [
            HeaderRules.Validate("content-type", contentType),
            new("content-length", _payload.Length.ToString(CultureInfo.InvariantCulture)),
        ];
        foreach ((string name, string value) in headers ?? [])
        {
            fields.Add(HeaderRules.Validate(name, value));
        }

        _headers = [.. fields];
        if (_payload.Length <= Http2Constants.DefaultMaxFrameSize)
        {
            _withoutDate = new PrebuiltResponse(statusCode, _headers, _payload);
            _headWithoutDate = new PrebuiltResponse(statusCode, _headers, []);
        }
    }

    /// <summary>The body every response carries.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>Sends the response (without body to HEAD).</summary>
    public Task HandleAsync(Http2Request request, Http2Response response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (_withoutDate is not null && !response.HasStarted)
        {
            bool head = response.SuppressBody;
            PrebuiltResponse prebuilt = !response.AddsDate ? (head ? _headWithoutDate! : _withoutDate)
                : head ? CurrentWithDate().Head : CurrentWithDate().Full;
            ValueTask sending = response.SendPrebuiltAsync(prebuilt, _statusCode, head ? ReadOnlyMemory<byte>.Empty : _payload);
            return sending.IsCompletedSuccessfully ? Task.CompletedTask : sending.AsTask();
        }

        return SendAsync(response);
    }

    private async Task SendAsync(Http2Response response)
    {
        // Larger than one frame: the ordinary path, with the fields prepared once.
        response.StatusCode = _statusCode;
        foreach ((string name, string value) in _headers)
        {
            response.SetHeader(name, value);
        }

        await response.WriteAsync(_payload);
    }

    // The date field changes once a second: so does the encoded response, shared by every request of that second.
    private Prebuilt CurrentWithDate()
    {
        string date = DateHeader.Value;
        Prebuilt? current = Volatile.Read(ref _withDate);
        if (current is not null && ReferenceEquals(current.Date, date))
        {
            return current;
        }

        KeyValuePair<string, string>[] fields = [.. _headers, new("date", date)];
        var next = new Prebuilt(date, new PrebuiltResponse(_statusCode, fields, _payload), new PrebuiltResponse(_statusCode, fields, []));
        Volatile.Write(ref _withDate, next);
        return next;
    }

    private sealed record Prebuilt(string Date, PrebuiltResponse Full, PrebuiltResponse Head);
}
