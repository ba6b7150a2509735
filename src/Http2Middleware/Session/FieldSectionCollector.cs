using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session;

/// <summary>
/// Receives the decoded fields of one field section — a request's or a response's header section, or trailers — and
/// validates them as RFC 9113 §8.2–8.3 require. The first violation is kept in <see cref="Error"/> (a malformed
/// message: a stream error); the block is still decoded to the end so the HPACK state stays in step with the peer.
/// The server collects requests and their trailers (<see cref="ResetForRequest"/>); the client collects responses
/// (<see cref="ResetForResponse"/>), where the only pseudo-header is <c>:status</c> (§8.3.2).
/// </summary>
internal sealed class FieldSectionCollector : IHeaderFieldSink
{
    private readonly List<KeyValuePair<string, string>> _fields = [];
    private readonly HeaderValueCache _values = new();
    private int _maxListSize;
    private int _listSize;
    private bool _trailers;
    private bool _response;
    private bool _regularSeen;

    public string? Method { get; private set; }
    public string? Scheme { get; private set; }
    public string? Authority { get; private set; }
    public string? Path { get; private set; }
    public string? Protocol { get; private set; }
    public string? Host { get; private set; }
    public long? ContentLength { get; private set; }

    /// <summary>The <c>:status</c> of a response (<see cref="ResetForResponse"/>), or null.</summary>
    public string? Status { get; private set; }

    /// <summary>Why the block is malformed, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>The decoded list exceeded SETTINGS_MAX_HEADER_LIST_SIZE (§6.5.2 counting).</summary>
    public bool TooLarge { get; private set; }

    /// <summary>Starts a request header section (<paramref name="trailers"/>: its trailers), as a server receives it.</summary>
    public void ResetForRequest(bool trailers, int maxListSize)
    {
        _response = false;
        ResetCore(trailers, maxListSize);
    }

    /// <summary>Starts a response header section (<paramref name="trailers"/>: its trailers), as a client receives it.</summary>
    public void ResetForResponse(bool trailers, int maxListSize)
    {
        _response = !trailers;
        ResetCore(trailers, maxListSize);
    }

    private void ResetCore(bool trailers, int maxListSize)
    {
        _fields.Clear();
        _trailers = trailers;
        _maxListSize = maxListSize;
        _listSize = 0;
        _regularSeen = false;
        Method = Scheme = Authority = Path = Protocol = Host = Status = null;
        ContentLength = null;
        Error = null;
        TooLarge = false;
    }

    /// <summary>The collected regular fields, lent: the next <see cref="ResetForRequest"/> or <see cref="ResetForResponse"/> clears them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>Hands out the collected regular fields; the collector starts a fresh list.</summary>
    public KeyValuePair<string, string>[] TakeFields()
    {
        KeyValuePair<string, string>[] copy = [.. _fields];
        _fields.Clear();
        return copy;
    }

    public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
    {
        _listSize += name.Length + value.Length + 32;
        if (_listSize > _maxListSize)
        {
            TooLarge = true;
        }

        if (TooLarge || Error is not null)
        {
            return;
        }

        if (name.IsEmpty)
        {
            Error = "empty header name";
        }
        else if (name[0] == (byte)':')
        {
            OnPseudoHeader(name, value);
        }
        else
        {
            OnRegularHeader(name, value);
        }
    }

    private void OnPseudoHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_trailers)
        {
            Error = "pseudo-header in trailers";
            return;
        }

        if (_regularSeen)
        {
            Error = "pseudo-header after a regular header";
            return;
        }

        if (_response)
        {
            OnResponsePseudoHeader(name, value);
            return;
        }

        string? previous;
        if (name.SequenceEqual(":method"u8)) { previous = Method; Method = HeaderValueCache.GetMethod(value); }
        else if (name.SequenceEqual(":scheme"u8)) { previous = Scheme; Scheme = _values.Get(":scheme", value); }
        else if (name.SequenceEqual(":authority"u8)) { previous = Authority; Authority = _values.Get(":authority", value); }
        else if (name.SequenceEqual(":path"u8)) { previous = Path; Path = _values.Get(":path", value); }
        else if (name.SequenceEqual(":protocol"u8)) { previous = Protocol; Protocol = Encoding.Latin1.GetString(value); }
        else
        {
            Error = $"unknown pseudo-header '{Encoding.Latin1.GetString(name)}'";
            return;
        }

        if (previous is not null)
        {
            Error = $"duplicate pseudo-header '{Encoding.Latin1.GetString(name)}'";
        }
    }

    /// <summary>§8.3.2: a response carries <c>:status</c> only; request pseudo-headers make it malformed (§8.1.1).</summary>
    private void OnResponsePseudoHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (!name.SequenceEqual(":status"u8))
        {
            Error = $"pseudo-header '{Encoding.Latin1.GetString(name)}' in a response (§8.3.2)";
        }
        else if (Status is not null)
        {
            Error = "duplicate pseudo-header ':status'";
        }
        else
        {
            Status = Encoding.Latin1.GetString(value);
        }
    }

    private void OnRegularHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        _regularSeen = true;
        foreach (byte b in name)
        {
            if (!HeaderFieldRules.IsLowercaseTokenChar(b))
            {
                Error = b is >= (byte)'A' and <= (byte)'Z'
                    ? $"uppercase header name '{Encoding.Latin1.GetString(name)}'"
                    : $"invalid character 0x{b:x2} in a header name";
                return;
            }
        }

        // §8.2.1: no NUL, CR or LF; no leading or trailing whitespace.
        if (value.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') >= 0)
        {
            Error = $"invalid character in the value of '{Encoding.Latin1.GetString(name)}'";
            return;
        }

        if (!value.IsEmpty && (IsWhitespace(value[0]) || IsWhitespace(value[^1])))
        {
            Error = $"whitespace around the value of '{Encoding.Latin1.GetString(name)}'";
            return;
        }

        string nameText = KnownHeaderNames.Get(name, out bool known);
        if (HeaderFieldRules.IsConnectionSpecific(nameText))
        {
            Error = $"connection-specific header '{nameText}'";
            return;
        }

        if (nameText == "te" && !value.SequenceEqual("trailers"u8))
        {
            Error = "te header other than 'trailers'";
            return;
        }

        string valueText = known ? _values.Get(nameText, value) : Encoding.Latin1.GetString(value);
        if (ReferenceEquals(nameText, "content-length") && !_trailers)
        {
            if (!long.TryParse(valueText, System.Globalization.NumberStyles.None, null, out long length)
                || (ContentLength is long seen && seen != length))
            {
                Error = "invalid content-length";
                return;
            }

            ContentLength = length;
        }
        else if (ReferenceEquals(nameText, "host"))
        {
            Host ??= valueText;
        }

        _fields.Add(new KeyValuePair<string, string>(nameText, valueText));
    }

    /// <summary>Checks the request-level rules of §8.3.1 once the block is complete.</summary>
    public void ValidateRequest(bool enableConnectProtocol)
    {
        if (Error is not null || TooLarge || _trailers)
        {
            return;
        }

        if (Method is null)
        {
            Error = "missing :method";
        }
        else if (Method == "CONNECT" && Protocol is null)
        {
            // §8.5: CONNECT carries only :method and :authority.
            if (Scheme is not null || Path is not null || string.IsNullOrEmpty(Authority))
            {
                Error = "malformed CONNECT request";
            }
        }
        else if (Protocol is not null && (!enableConnectProtocol || Method != "CONNECT"))
        {
            Error = ":protocol without extended CONNECT";
        }
        else if (string.IsNullOrEmpty(Scheme))
        {
            Error = "missing :scheme";
        }
        else if (string.IsNullOrEmpty(Path))
        {
            Error = "missing or empty :path";
        }
        else if (Path[0] != '/' && !(Path == "*" && Method == "OPTIONS") && Scheme is "http" or "https")
        {
            Error = "invalid :path";
        }
        else if (Method.Length == 0)
        {
            Error = "empty :method";
        }
    }

    /// <summary>
    /// Checks the response-level rules of §8.3.2 once the block is complete and returns the status code:
    /// <c>:status</c> present and three digits (RFC 9110 §15); 101 is not allowed in HTTP/2 (§8.6).
    /// </summary>
    public int ValidateResponse()
    {
        if (Error is not null || TooLarge)
        {
            return 0;
        }

        if (Status is null)
        {
            Error = "missing :status (§8.3.2)";
        }
        else if (Status.Length != 3 || !int.TryParse(Status, System.Globalization.NumberStyles.None, null, out int status) || status < 100)
        {
            Error = $"invalid :status '{Status}' (§8.3.2)";
        }
        else if (status == 101)
        {
            Error = ":status 101 is not allowed in HTTP/2 (§8.6)";
        }
        else
        {
            return status;
        }

        return 0;
    }

    private static bool IsWhitespace(byte b) => b is (byte)' ' or (byte)'\t';
}
