using System.Buffers;

namespace Http2Lab.Transport.Buffers;

/// <summary>
/// A growable byte queue over one pooled array: written at the end, consumed from the front, no fixed limit that
/// can overflow. The array goes back to the pool whenever the queue empties, so an idle connection holds none.
/// </summary>
internal sealed class ByteQueue : IDisposable
{
    private const int MinimumSize = 4096;
    private byte[]? _array;
    private int _start;
    private int _end;

    public int Length => _end - _start;

    public bool IsEmpty => _end == _start;

    public ReadOnlyMemory<byte> Memory => _array is null ? default : _array.AsMemory(_start, _end - _start);

    public ReadOnlySpan<byte> Span => _array is null ? default : _array.AsSpan(_start, _end - _start);

    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        data.CopyTo(Reserve(data.Length));
        _end += data.Length;
    }

    /// <summary>Room for at least <paramref name="size"/> octets at the end; <see cref="Commit"/> what was written.</summary>
    public Span<byte> Reserve(int size)
    {
        int length = Length;
        if (_array is null)
        {
            _array = ArrayPool<byte>.Shared.Rent(Math.Max(size, MinimumSize));
        }
        else if (_array.Length - _end < size)
        {
            if (_array.Length - length >= size && length <= _array.Length / 2)
            {
                _array.AsSpan(_start, length).CopyTo(_array); // enough room once consumed octets are reclaimed
            }
            else
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, length + size));
                _array.AsSpan(_start, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }

            _start = 0;
            _end = length;
        }

        return _array.AsSpan(_end);
    }

    public void Commit(int count) => _end += count;

    /// <summary>Copies up to <paramref name="destination"/>'s length from the front and consumes it.</summary>
    public int Read(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, Length);
        Span[..count].CopyTo(destination);
        Consume(count);
        return count;
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        _start = _end = 0;
    }
}
