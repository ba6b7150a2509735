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
    private readonly HeaderBlockDecoder _decoder = new();
    private bool _trailers;

    /// <summary>The stream whose block awaits CONTINUATION, 0 when none.</summary>
    public int OpenStreamId => _decoder.OpenStreamId;

    /// <summary>The server acknowledged a SETTINGS_HEADER_TABLE_SIZE of the client.</summary>
    public void OnTableSizeAcknowledged(uint size) => _decoder.Decoder.MaxDynamicTableSize = (int)Math.Min(size, int.MaxValue);

    public void OnHeaders(Frame headers, bool trailers)
    {
        InvariantViolation.Check(OpenStreamId == 0, $"HEADERS on stream {headers.StreamId} while the block of stream {OpenStreamId} is open (§6.10)");
        _trailers = trailers;
        Add(headers);
    }

    public void OnContinuation(Frame continuation)
    {
        InvariantViolation.Check(OpenStreamId == continuation.StreamId, $"CONTINUATION on stream {continuation.StreamId} without an open block on it (open: {OpenStreamId}) (§6.10)");
        Add(continuation);
    }

    private void Add(Frame frame)
    {
        Frame? complete;
        try
        {
            complete = _decoder.Add(frame);
        }
        catch (InvalidDataException ex)
        {
            throw new InvariantViolation(ex.Message); // the sequence was checked above: the block does not decode
        }

        if (complete?.Headers is { } fields)
        {
            CheckFields(complete.StreamId, fields);
        }
    }

    private void CheckFields(int streamId, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            (string name, string value) = fields[i];
            if (!_trailers && i == 0)
            {
                InvariantViolation.Check(name == ":status" && value.Length == 3 && value[0] is >= '1' and <= '5'
                    && value[1] is >= '0' and <= '9' && value[2] is >= '0' and <= '9',
                    $"a response must start with a valid :status, not {name}: {value}");
            }
            else
            {
                InvariantViolation.Check(name.Length > 0 && name[0] != ':', $"pseudo-header {name} in a {(_trailers ? "trailer" : "response")} block after the first field");
                foreach (char c in name)
                {
                    InvariantViolation.Check(HeaderFieldRules.IsLowercaseTokenChar(c), $"invalid response field name '{name}'");
                }
            }
        }

        InvariantViolation.Check(_trailers || fields.Count > 0, $"response on stream {streamId} without :status");
    }
}
