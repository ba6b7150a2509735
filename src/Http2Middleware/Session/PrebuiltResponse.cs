using System.Buffers;
using System.Buffers.Binary;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session;

/// <summary>
/// A response encoded once and sent many times by <see cref="Http2Session.SendPrebuilt"/>: its header block uses only
/// static-table indexes and literals that no table keeps (RFC 7541 §6.1, §6.2.2), so it is valid on any connection
/// whatever the peer's dynamic table holds; HEADERS and DATA frames are laid out once and only their stream ids are
/// written per response.
/// </summary>
internal sealed class PrebuiltResponse
{
    private readonly byte[] _headerBlock;
    private readonly byte[] _body;
    private readonly byte[] _frames;
    private readonly int _dataFrameOffset;

    /// <summary>Encodes the response.</summary>
    /// <param name="statusCode">The status (100-999).</param>
    /// <param name="headers">Lowercase header fields, sent in this order after <c>:status</c>.</param>
    /// <param name="body">The body; empty for none (the HEADERS frame then ends the stream).</param>
    /// <exception cref="ArgumentException">The header block or the body does not fit one frame of the default maximum size.</exception>
    public PrebuiltResponse(int statusCode, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var block = new ArrayBufferWriter<byte>();
        var encoder = new HPackEncoder(maxDynamicTableSize: 0);
        encoder.EncodeStatus(block, statusCode);
        foreach ((string name, string value) in headers)
        {
            encoder.EncodeHeader(block, name, value, HeaderIndexing.WithoutIndexing);
        }

        // One frame each whatever the peer's SETTINGS_MAX_FRAME_SIZE (never below the default, §6.5.2).
        if (block.WrittenCount > Http2Constants.DefaultMaxFrameSize || body.Length > Http2Constants.DefaultMaxFrameSize)
        {
            throw new ArgumentException($"A prebuilt response's header block and body are each at most {Http2Constants.DefaultMaxFrameSize} octets.");
        }

        _headerBlock = block.WrittenSpan.ToArray();
        _body = body.ToArray();
        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeaders(frames, 1, _headerBlock, endStream: _body.Length == 0, Http2Constants.DefaultMaxFrameSize);
        _dataFrameOffset = _body.Length == 0 ? -1 : frames.WrittenCount;
        if (_body.Length > 0)
        {
            FrameWriter.WriteData(frames, 1, _body, endStream: true);
        }

        _frames = frames.WrittenSpan.ToArray();
    }

    /// <summary>The HPACK header block.</summary>
    public ReadOnlySpan<byte> HeaderBlock => _headerBlock;

    /// <summary>The body octets.</summary>
    public ReadOnlySpan<byte> Body => _body;

    /// <summary>HEADERS (and DATA with END_STREAM when there is a body), laid out for stream 1.</summary>
    internal ReadOnlySpan<byte> Frames => _frames;

    /// <summary>Copies <see cref="Frames"/> into <paramref name="destination"/> for stream <paramref name="streamId"/>.</summary>
    internal void CopyTo(Span<byte> destination, int streamId)
    {
        _frames.CopyTo(destination);
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId); // §4.1: the reserved bit stays 0
        if (_dataFrameOffset >= 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination[(_dataFrameOffset + 5)..], streamId);
        }
    }
}
