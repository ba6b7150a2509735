using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Testing;

/// <summary>
/// Octets received from a server, taken out as whole frames: fed with <see cref="Append"/> (output drained from a
/// session) or <see cref="FillAsync"/> (a socket or TLS stream). What does not make a whole frame yet stays buffered,
/// so a read cancelled half-way through a frame loses nothing.
/// </summary>
internal sealed class FrameBuffer
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Octets buffered that do not make a whole frame yet.</summary>
    public int Length => _end - _start;

    /// <summary>Appends <paramref name="octets"/> after what is buffered.</summary>
    public void Append(ReadOnlySpan<byte> octets)
    {
        Reserve(octets.Length);
        octets.CopyTo(_buffer.AsSpan(_end));
        _end += octets.Length;
    }

    /// <summary>Takes the next whole frame out of the buffer; false while its header or payload is incomplete.</summary>
    public bool TryRead([NotNullWhen(true)] out Frame? frame)
    {
        var input = new ReadOnlySequence<byte>(_buffer, _start, Length);
        if (!FrameReader.TryReadFrame(input, out FrameHeader header, out ReadOnlySequence<byte> payload))
        {
            frame = null;
            return false;
        }

        // FrameHeader clears the reserved bit; keep it for checks of what the server sent (§4.1).
        bool reserved = (_buffer[_start + 5] & 0x80) != 0;
        frame = new Frame(header.Type, header.Flags, header.StreamId, payload.ToArray()) { ReservedBit = reserved };
        _start += Http2Constants.FrameHeaderLength + header.PayloadLength;
        return true;
    }

    /// <summary>Reads what <paramref name="stream"/> has (at least one octet) into the buffer; false at the end of the stream.</summary>
    public async Task<bool> FillAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        Reserve(1);
        int read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }

    /// <summary>The next whole frame, reading <paramref name="stream"/> as needed; null at the end of the stream.</summary>
    public async Task<Frame?> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        Frame? frame;
        while (!TryRead(out frame))
        {
            if (!await FillAsync(stream, cancellationToken))
            {
                return null;
            }
        }

        return frame;
    }

    /// <summary>Makes room for <paramref name="count"/> more octets after the buffered ones.</summary>
    private void Reserve(int count)
    {
        if (_buffer.Length - _end >= count)
        {
            return;
        }

        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, Length);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + count));
        }
    }
}
