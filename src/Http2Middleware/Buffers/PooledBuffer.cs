using System.Buffers;

namespace Http2Lab.Http2.Buffers;

/// <summary>
/// A growable byte queue over one array rented from <see cref="ArrayPool{T}"/>: written at the end,
/// consumed from the front. Used for the session's output, per-stream pending response data and
/// header block reassembly, so that steady-state traffic allocates nothing.
/// </summary>
internal sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 512;

    private byte[] _array = [];
    private int _start;
    private int _end;

    /// <summary>Octets written and not yet consumed.</summary>
    public int Length => _end - _start;

    public bool IsEmpty => _end == _start;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(_start, _end - _start);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(_start, _end - _start);

    public void Advance(int count) => _end += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_end);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_end);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        _end += data.Length;
    }

    /// <summary>Drops <paramref name="count"/> octets from the front.</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Empties the buffer; returns the array to the pool when it grew large.</summary>
    public void Clear()
    {
        _start = _end = 0;
        if (_array.Length > 256 * 1024)
        {
            Release();
        }
    }

    /// <summary>Gives the array back to the pool when nothing is buffered (an idle connection holds none).</summary>
    public void TrimIfEmpty()
    {
        if (IsEmpty)
        {
            Release();
        }
    }

    public void Dispose() => Release();

    private void Release()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = [];
        _start = _end = 0;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (_array.Length - _end >= sizeHint)
        {
            return;
        }

        int length = _end - _start;
        if (_start > 0 && _array.Length - length >= sizeHint && length <= _array.Length / 2)
        {
            // Enough room once consumed octets are reclaimed.
            _array.AsSpan(_start, length).CopyTo(_array);
            _start = 0;
            _end = length;
            return;
        }

        // Small first: a new connection's output (SETTINGS, WINDOW_UPDATE) is ~60 octets, and when thousands connect at
        // once their first arrays outnumber what the shared pool keeps, so each becomes garbage on its return (4 KiB
        // each was a quarter of the memory a burst of idle connections showed). Busy buffers double from here.
        int size = Math.Max(Math.Max(_array.Length * 2, length + sizeHint), MinimumSize);
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _array.AsSpan(_start, length).CopyTo(next);
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = next;
        _start = 0;
        _end = length;
    }
}
