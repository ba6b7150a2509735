using System.Diagnostics;

namespace Http2Lab.Http2.HPack;

/// <summary>
/// The dynamic table of RFC 7541 §2.3.2 and §4: a FIFO of header fields addressed newest-first, whose size is the
/// sum of 32 + name length + value length over its entries (§4.1). The octets of all entries live in one byte ring;
/// an entry that does not fit before the end of the ring starts over at offset 0, so names and values are always
/// contiguous spans. Inserting and evicting do not allocate once the ring has reached its working size.
/// </summary>
internal sealed class DynamicTable
{
    /// <summary>Per-entry overhead counted in the table size (§4.1).</summary>
    public const int EntryOverhead = 32;

    // The ring starts at twice the maximum size (up to this bound), which always suffices (see Reserve), and grows on
    // demand beyond it, so a large SETTINGS_HEADER_TABLE_SIZE does not cost memory until it is used.
    private const int InitialRingLimit = 16 * 1024;

    private Entry[] _entries = [];  // ring of entry descriptors; _oldest is the first live slot
    private int _oldest;
    private int _count;

    private byte[] _ring = [];
    private int _start;        // offset of the oldest entry's octets
    private int _end;          // offset just past the newest entry's octets
    private bool _wrapped;     // live octets are [_start, upper end) followed by [0, _end)
    private int _upperCount;   // while wrapped: number of entries still in the upper segment

    /// <summary>Creates an empty table.</summary>
    /// <param name="maxSize">Initial maximum size in octets (§4.2).</param>
    public DynamicTable(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        MaxSize = maxSize;
    }

    /// <summary>Number of entries.</summary>
    public int Count => _count;

    /// <summary>Current size in octets (§4.1).</summary>
    public int Size { get; private set; }

    /// <summary>Maximum size in octets (§4.2).</summary>
    public int MaxSize { get; private set; }

    /// <summary>Changes the maximum size, evicting oldest entries until the table fits (§4.3).</summary>
    public void SetMaxSize(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        MaxSize = maxSize;
        while (Size > maxSize)
        {
            EvictOldest();
        }
    }

    /// <summary>Name of the entry at zero-based <paramref name="index"/>, 0 being the newest (§2.3.3).</summary>
    public ReadOnlySpan<byte> GetName(int index)
    {
        ref Entry entry = ref EntryAt(index);
        return new ReadOnlySpan<byte>(_ring, entry.Offset, entry.NameLength);
    }

    /// <summary>Value of the entry at zero-based <paramref name="index"/>, 0 being the newest (§2.3.3).</summary>
    public ReadOnlySpan<byte> GetValue(int index)
    {
        ref Entry entry = ref EntryAt(index);
        return new ReadOnlySpan<byte>(_ring, entry.Offset + entry.NameLength, entry.ValueLength);
    }

    /// <summary>Looks a field up for the encoder, newest entry first.</summary>
    /// <param name="name">Field name.</param>
    /// <param name="value">Field value.</param>
    /// <param name="nameIndex">Zero-based index of the newest entry with that name, or -1.</param>
    /// <returns>Zero-based index of the newest entry matching name and value, or -1.</returns>
    public int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex)
    {
        nameIndex = -1;
        Entry[] entries = _entries;
        int slot = _oldest + _count - 1;
        for (int index = 0; index < _count; index++, slot--)
        {
            if (slot >= entries.Length)
            {
                slot -= entries.Length;
            }
            else if (slot < 0)
            {
                slot += entries.Length;
            }

            ref Entry entry = ref entries[slot];
            if (entry.NameLength != name.Length ||
                !name.SequenceEqual(new ReadOnlySpan<byte>(_ring, entry.Offset, entry.NameLength)))
            {
                continue;
            }

            if (nameIndex < 0)
            {
                nameIndex = index;
            }

            if (entry.ValueLength == value.Length &&
                value.SequenceEqual(new ReadOnlySpan<byte>(_ring, entry.Offset + entry.NameLength, entry.ValueLength)))
            {
                return index;
            }
        }

        return -1;
    }

    /// <summary>
    /// Adds a field as the newest entry, evicting the oldest ones to make room; a field larger than the maximum size
    /// empties the table and is not added (§4.4). <paramref name="name"/> may point into this table.
    /// </summary>
    public void Insert(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        long entrySize = EntryOverhead + (long)name.Length + value.Length;
        if (entrySize > MaxSize)
        {
            Clear();
            return;
        }

        while (Size + entrySize > MaxSize)
        {
            EvictOldest();
        }

        int length = name.Length + value.Length;
        int offset = Reserve(length);

        // The name may lie in an entry evicted above, possibly overlapping the new slot: copy it first (CopyTo is
        // overlap-safe); the value never comes from the table.
        name.CopyTo(_ring.AsSpan(offset));
        value.CopyTo(_ring.AsSpan(offset + name.Length));

        if (_count == _entries.Length)
        {
            GrowEntries();
        }

        int slot = _oldest + _count;
        if (slot >= _entries.Length)
        {
            slot -= _entries.Length;
        }

        _entries[slot] = new Entry(offset, name.Length, value.Length);
        _count++;
        Size += (int)entrySize;
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        _count = 0;
        _oldest = 0;
        Size = 0;
        _start = 0;
        _end = 0;
        _wrapped = false;
    }

    private ref Entry EntryAt(int index)
    {
        Debug.Assert((uint)index < (uint)_count, "index checked by the caller");
        int slot = _oldest + _count - 1 - index;
        if (slot >= _entries.Length)
        {
            slot -= _entries.Length;
        }

        return ref _entries[slot];
    }

    private void EvictOldest()
    {
        ref Entry entry = ref _entries[_oldest];
        Size -= EntryOverhead + entry.NameLength + entry.ValueLength;
        _count--;
        if (_count == 0)
        {
            Clear();
            return;
        }

        if (++_oldest == _entries.Length)
        {
            _oldest = 0;
        }

        if (_wrapped && --_upperCount == 0)
        {
            _wrapped = false;
        }

        _start = _entries[_oldest].Offset;
    }

    // Picks the ring offset for `length` new octets. With a ring of at least twice MaxSize a slot always exists:
    // live octets are at most MaxSize - length, and the gap left at the end by a wrap is smaller than the entry that
    // wrapped, which is still live; so the free space is at least 2 * length in one piece, or split in two pieces
    // of which one is at least length long. Smaller rings grow (and compact) when needed.
    private int Reserve(int length)
    {
        if (!_wrapped)
        {
            if (_ring.Length - _end >= length)
            {
                return Take(_end, length);
            }

            if (length > 0 && _start >= length)
            {
                _wrapped = true;
                _upperCount = _count;
                return Take(0, length);
            }
        }
        else if (_start - _end >= length)
        {
            return Take(_end, length);
        }

        GrowRing(length);
        return Take(_end, length);
    }

    private int Take(int offset, int length)
    {
        if (_count == 0)
        {
            _start = offset;
        }

        _end = offset + length;
        return offset;
    }

    // Moves the live entries, oldest first, to the start of a larger ring.
    private void GrowRing(int length)
    {
        long used = Size - ((long)_count * EntryOverhead);
        long capacity = _ring.Length == 0 ? Math.Min(2L * MaxSize, InitialRingLimit) : 2L * _ring.Length;
        capacity = Math.Min(Math.Max(capacity, used + length), Array.MaxLength);
        var ring = new byte[capacity];
        int position = 0;
        int slot = _oldest;
        for (int i = 0; i < _count; i++)
        {
            ref Entry entry = ref _entries[slot];
            int entryLength = entry.NameLength + entry.ValueLength;
            _ring.AsSpan(entry.Offset, entryLength).CopyTo(ring.AsSpan(position));
            entry.Offset = position;
            position += entryLength;
            if (++slot == _entries.Length)
            {
                slot = 0;
            }
        }

        _ring = ring;
        _start = 0;
        _end = position;
        _wrapped = false;
    }

    private void GrowEntries()
    {
        var entries = new Entry[Math.Max(16, _entries.Length * 2)];
        for (int i = 0; i < _count; i++)
        {
            int slot = _oldest + i;
            entries[i] = _entries[slot >= _entries.Length ? slot - _entries.Length : slot];
        }

        _entries = entries;
        _oldest = 0;
    }

    private struct Entry(int offset, int nameLength, int valueLength)
    {
        public int Offset = offset;
        public readonly int NameLength = nameLength;
        public readonly int ValueLength = valueLength;
    }
}
