using Http2Lab.Http2.Buffers;

namespace Http2Lab.Http2.Frames;

/// <summary>
/// Joins a HEADERS (or PUSH_PROMISE) frame without END_HEADERS and its CONTINUATION frames into one field
/// block (RFC 9113 §4.3, §6.10), enforcing that nothing interleaves and bounding what one block may cost:
/// its size and its number of CONTINUATION frames (more → ENHANCE_YOUR_CALM).
/// </summary>
internal sealed class HeaderBlockAssembler : IDisposable
{
    private readonly PooledBuffer _block = new();
    private readonly int _maxBlockSize;
    private readonly int _maxContinuations;
    private int _continuations;

    /// <summary>Creates an assembler.</summary>
    /// <param name="maxBlockSize">The largest field block buffered.</param>
    /// <param name="maxContinuations">CONTINUATION frames allowed in one block.</param>
    public HeaderBlockAssembler(int maxBlockSize, int maxContinuations)
    {
        _maxBlockSize = maxBlockSize;
        _maxContinuations = maxContinuations;
    }

    /// <summary>Whether a block is open: only CONTINUATION frames on <see cref="StreamId"/> may follow.</summary>
    public bool IsOpen => StreamId != 0;

    /// <summary>The stream of the open block, 0 when none is open.</summary>
    public int StreamId { get; private set; }

    /// <summary>END_STREAM of the frame that opened the block.</summary>
    public bool EndStream { get; private set; }

    /// <summary>Whether the frame that opened the block made its stream depend on itself.</summary>
    public bool SelfDependent { get; private set; }

    /// <summary>The block assembled so far; complete once <see cref="TryAppend"/> reported it.</summary>
    public ReadOnlySpan<byte> Block => _block.WrittenSpan;

    /// <summary>§6.10: while a block is open, any frame but its CONTINUATION is a connection error.</summary>
    public bool Interrupts(FrameHeader header, out FrameError error)
    {
        if (IsOpen && (header.Type != FrameType.Continuation || header.StreamId != StreamId))
        {
            error = FrameError.Connection(Http2ErrorCode.ProtocolError,
                $"{header.Type} frame on stream {header.StreamId} while the field block of stream {StreamId} awaits CONTINUATION (§6.10)");
            return true;
        }

        error = default;
        return false;
    }

    /// <summary>Opens a block with the fragment of a HEADERS or PUSH_PROMISE frame that lacks END_HEADERS.</summary>
    public bool TryBegin(in Http2Frame frame, out FrameError error)
    {
        _block.Clear();
        _continuations = 0;
        StreamId = frame.StreamId;
        EndStream = frame.EndStream;
        SelfDependent = frame.IsSelfDependent;
        return TryAdd(frame.Content, out error);
    }

    /// <summary>
    /// Adds a CONTINUATION frame. <paramref name="complete"/> is set on END_HEADERS: <see cref="Block"/> then
    /// holds the whole block until <see cref="Reset"/>.
    /// </summary>
    public bool TryAppend(in Http2Frame frame, out bool complete, out FrameError error)
    {
        complete = false;
        if (!IsOpen || frame.StreamId != StreamId)
        {
            error = FrameError.Connection(Http2ErrorCode.ProtocolError, $"CONTINUATION on stream {frame.StreamId} without an open field block (§6.10)");
            return false;
        }

        if (++_continuations > _maxContinuations)
        {
            error = FrameError.Connection(Http2ErrorCode.EnhanceYourCalm, $"more than {_maxContinuations} CONTINUATION frames in one field block");
            return false;
        }

        if (!TryAdd(frame.Content, out error))
        {
            return false;
        }

        complete = frame.EndHeaders;
        return true;
    }

    /// <summary>Closes the block (after it was processed, or on a connection error) and frees a large buffer.</summary>
    public void Reset()
    {
        StreamId = 0;
        _block.Clear();
    }

    /// <summary>Returns the reassembly buffer to the pool while no header block is open.</summary>
    public void TrimIfClosed()
    {
        if (!IsOpen)
        {
            _block.Clear();
            _block.TrimIfEmpty();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _block.Dispose();

    private bool TryAdd(ReadOnlySpan<byte> fragment, out FrameError error)
    {
        if (_block.Length + fragment.Length > _maxBlockSize)
        {
            error = FrameError.Connection(Http2ErrorCode.EnhanceYourCalm, $"field block larger than {_maxBlockSize} octets");
            return false;
        }

        _block.Write(fragment);
        error = default;
        return true;
    }
}
