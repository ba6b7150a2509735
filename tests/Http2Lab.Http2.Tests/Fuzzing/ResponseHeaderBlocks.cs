using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// The client's view of the server's field blocks: HEADERS and CONTINUATION must form well-formed sequences (§6.10),
/// and every block must decode with one <see cref="HPackDecoder"/> fed in order, honouring the table size the client
/// announced once the server acknowledged it (RFC 7541 §4.2). Responses start with a valid :status and carry no other
/// pseudo-header; trailers carry none (§8.3.2, §8.1).
/// </summary>
internal sealed class ResponseHeaderBlocks
{
    private readonly HPackDecoder _decoder = new(Http2Constants.DefaultHeaderTableSize, 1 << 20);
    private readonly List<byte> _block = [];
    private bool _trailers;

    /// <summary>The stream whose block awaits CONTINUATION, 0 when none.</summary>
    public int OpenStreamId { get; private set; }

    /// <summary>The server acknowledged a SETTINGS_HEADER_TABLE_SIZE of the client.</summary>
    public void OnTableSizeAcknowledged(uint size) => _decoder.MaxDynamicTableSize = (int)Math.Min(size, int.MaxValue);

    public void OnHeaders(int streamId, ReadOnlySpan<byte> fragment, bool endHeaders, bool trailers)
    {
        InvariantViolation.Check(OpenStreamId == 0, $"HEADERS on stream {streamId} while the block of stream {OpenStreamId} is open (§6.10)");
        OpenStreamId = streamId;
        _trailers = trailers;
        _block.Clear();
        _block.AddRange(fragment);
        if (endHeaders)
        {
            Complete();
        }
    }

    public void OnContinuation(int streamId, ReadOnlySpan<byte> fragment, bool endHeaders)
    {
        InvariantViolation.Check(OpenStreamId == streamId, $"CONTINUATION on stream {streamId} without an open block on it (open: {OpenStreamId}) (§6.10)");
        _block.AddRange(fragment);
        if (endHeaders)
        {
            Complete();
        }
    }

    private void Complete()
    {
        var sink = new FieldChecker(_trailers);
        try
        {
            _decoder.Decode(_block.ToArray(), sink);
        }
        catch (HPackDecodingException ex)
        {
            throw new InvariantViolation($"the server's field block on stream {OpenStreamId} does not decode: {ex.Message} ({Convert.ToHexString(_block.ToArray())})");
        }

        InvariantViolation.Check(_trailers || sink.HasStatus, $"response on stream {OpenStreamId} without :status");
        OpenStreamId = 0;
    }

    private sealed class FieldChecker(bool trailers) : IHeaderFieldSink
    {
        private int _fields;

        public bool HasStatus { get; private set; }

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
        {
            string text = System.Text.Encoding.Latin1.GetString(name);
            if (!trailers && _fields == 0)
            {
                InvariantViolation.Check(text == ":status" && value.Length == 3 && value[0] is >= (byte)'1' and <= (byte)'5'
                    && value[1] is >= (byte)'0' and <= (byte)'9' && value[2] is >= (byte)'0' and <= (byte)'9',
                    $"a response must start with a valid :status, not {text}: {System.Text.Encoding.Latin1.GetString(value)}");
                HasStatus = true;
            }
            else
            {
                InvariantViolation.Check(name.Length > 0 && name[0] != (byte)':', $"pseudo-header {text} in a {(trailers ? "trailer" : "response")} block after the first field");
                foreach (byte b in name)
                {
                    InvariantViolation.Check(HeaderFieldRules.IsLowercaseTokenChar(b), $"invalid response field name '{text}'");
                }
            }

            _fields++;
        }
    }
}
