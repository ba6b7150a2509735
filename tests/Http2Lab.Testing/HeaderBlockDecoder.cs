using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Testing;

/// <summary>
/// A client's view of a server's header blocks: folds each HEADERS frame and its CONTINUATIONs into one block (§6.10)
/// and decodes it with one HPACK decoder fed in order, as the connection's dynamic table requires (RFC 7541 §2.3.2).
/// A server breaking the sequence, or sending a block that does not decode, is an <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class HeaderBlockDecoder
{
    private readonly List<byte> _block = [];
    private Frame? _open;

    /// <summary>The HPACK decoder; its table size follows the default until a test changes it.</summary>
    public HPackDecoder Decoder { get; } = new(Http2Constants.DefaultHeaderTableSize, maxStringLength: 1 << 20);

    /// <summary>The stream whose header block awaits a CONTINUATION, 0 when none.</summary>
    public int OpenStreamId => _open?.StreamId ?? 0;

    /// <summary>
    /// Takes the server's next frame. Returns it as a reader delivers it: the frame itself, unless it belongs to a
    /// header block; then the block's HEADERS frame, with <see cref="Frame.HeaderBlock"/> and <see cref="Frame.Headers"/>
    /// set, once END_HEADERS arrived, and null before.
    /// </summary>
    public Frame? Add(Frame frame)
    {
        if (_open is null)
        {
            if (frame.Type == FrameType.Continuation)
            {
                throw new InvalidDataException($"{frame} without a header block to continue (§6.10)");
            }

            if (frame.Type != FrameType.Headers)
            {
                return frame;
            }

            _open = frame;
            _block.Clear();
        }
        else if (frame.Type != FrameType.Continuation || frame.StreamId != _open.StreamId)
        {
            throw new InvalidDataException($"{frame} inside the header block of stream {_open.StreamId} (§6.10)");
        }

        _block.AddRange(frame.Content);
        if (!frame.HasFlag(FrameFlags.EndHeaders))
        {
            return null;
        }

        Frame headers = _open;
        _open = null;
        byte[] block = [.. _block];
        var fields = new FieldList();
        try
        {
            Decoder.Decode(block, fields);
        }
        catch (HPackDecodingException ex)
        {
            throw new InvalidDataException($"The header block of stream {headers.StreamId} does not decode: {ex.Message} ({Convert.ToHexString(block)})", ex);
        }

        headers.HeaderBlock = block;
        headers.Headers = fields.Fields;
        return headers;
    }

    private sealed class FieldList : IHeaderFieldSink
    {
        public List<KeyValuePair<string, string>> Fields { get; } = [];

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Fields.Add(new(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
    }
}
