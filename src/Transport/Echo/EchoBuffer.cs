using System.Buffers;

namespace Http2Lab.Transport.Echo;

/// <summary>
/// A fixed-capacity byte queue (one pooled array, rented on first use and returned when empty): what an echo client
/// is owed. Its capacity is the most the server holds for one client.
/// </summary>
internal sealed class EchoBuffer(int capacity) : IDisposable
{
    private byte[]? _array;
    private int _start;
    private int _end;

    public int Capacity { get; } = capacity;

    public int Length => _end - _start;

    public int Free => Capacity - Length;

    public ReadOnlyMemory<byte> Written => _array is null ? default : _array.AsMemory(_start, Length);

    /// <summary>Appends <paramref name="data"/>, which must fit in <see cref="Free"/>.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _array ??= ArrayPool<byte>.Shared.Rent(Capacity);
        if (_array.Length - _end < data.Length)
        {
            _array.AsSpan(_start, Length).CopyTo(_array);
            _end -= _start;
            _start = 0;
        }

        data.CopyTo(_array.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>Appends every segment of <paramref name="data"/>.</summary>
    public void Write(in ReadOnlySequence<byte> data)
    {
        foreach (ReadOnlyMemory<byte> segment in data)
        {
            Write(segment.Span);
        }
    }

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            Dispose(); // idle clients hold no buffer
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
