using System.Buffers;

namespace Http2Lab.Http2.HPack;

/// <summary>
/// Decodes HPACK header blocks (RFC 7541) for one connection; the dynamic table persists across blocks, so every
/// block received on the connection must go through the same instance, in order. Not thread-safe.
/// After an <see cref="HPackDecodingException"/> the decoding context is undefined: the connection must be closed
/// with COMPRESSION_ERROR (RFC 9113 §4.3).
/// </summary>
internal sealed class HPackDecoder
{
    private const int MinScratchSize = 256;

    private readonly DynamicTable _table;
    private readonly int _maxStringLength;
    private int _maxDynamicTableSize;
    private bool _sizeUpdateRequired;

    // Reusable targets for Huffman-decoded names and values, rented from the shared pool as they grow.
    private byte[] _nameScratch = [];
    private byte[] _valueScratch = [];

    /// <summary>Creates a decoder with an empty dynamic table.</summary>
    /// <param name="maxDynamicTableSize">
    /// Our SETTINGS_HEADER_TABLE_SIZE: the initial maximum size of the dynamic table and the largest size a dynamic
    /// table size update may ask for (§4.2, §6.3). In HTTP/2 the table starts at the protocol default, 4096, until
    /// the peer has acknowledged a different setting.
    /// </param>
    /// <param name="maxStringLength">
    /// Longest name or value literal accepted, in octets after Huffman decoding; longer ones are rejected.
    /// </param>
    public HPackDecoder(int maxDynamicTableSize = 4096, int maxStringLength = 16384)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDynamicTableSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxStringLength);
        _maxDynamicTableSize = maxDynamicTableSize;
        _maxStringLength = maxStringLength;
        _table = new DynamicTable(maxDynamicTableSize);
    }

    /// <summary>
    /// Our SETTINGS_HEADER_TABLE_SIZE: the largest size a dynamic table size update may ask for (§6.3). Set it once
    /// the peer has acknowledged the new setting (RFC 9113 §6.5.3). When it drops below the table's current
    /// maximum, the next header block must start with a size update (§4.2), otherwise decoding fails.
    /// </summary>
    public int MaxDynamicTableSize
    {
        get => _maxDynamicTableSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxDynamicTableSize = value;
            _sizeUpdateRequired = value < _table.MaxSize;
        }
    }

    /// <summary>Current size of the dynamic table in octets: 32 + name + value per entry (§4.1).</summary>
    public int DynamicTableSize => _table.Size;

    /// <summary>Number of entries in the dynamic table.</summary>
    public int DynamicTableCount => _table.Count;

    /// <summary>The dynamic table, for tests.</summary>
    internal DynamicTable Table => _table;

    /// <summary>
    /// Decodes one complete header block (HEADERS or PUSH_PROMISE plus its CONTINUATION fragments, concatenated) and
    /// passes each field to <paramref name="sink"/>, in order.
    /// </summary>
    /// <param name="headerBlock">The complete header block.</param>
    /// <param name="sink">Receives the decoded fields.</param>
    /// <exception cref="HPackDecodingException">The block is malformed.</exception>
    public void Decode(ReadOnlySpan<byte> headerBlock, IHeaderFieldSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_sizeUpdateRequired && (headerBlock.IsEmpty || (headerBlock[0] & 0xE0) != 0x20))
        {
            throw new HPackDecodingException(
                "Header block must start with a dynamic table size update after the maximum size was lowered (RFC 7541 §4.2).");
        }

        int position = 0;
        bool fieldSeen = false;
        while (position < headerBlock.Length)
        {
            byte first = headerBlock[position];
            if ((first & 0x80) != 0)
            {
                // Indexed header field, 7-bit index (§6.1).
                int index = PrefixInteger.Decode(headerBlock, ref position, 7);
                if (index == 0)
                {
                    throw new HPackDecodingException("Indexed header field with index 0 (RFC 7541 §6.1).");
                }

                sink.OnHeaderField(GetName(index), GetValue(index), neverIndexed: false);
                fieldSeen = true;
            }
            else if ((first & 0x40) != 0)
            {
                // Literal with incremental indexing, 6-bit name index (§6.2.1).
                DecodeLiteral(headerBlock, ref position, 6, sink, addToTable: true, neverIndexed: false);
                fieldSeen = true;
            }
            else if ((first & 0x20) != 0)
            {
                // Dynamic table size update, 5-bit size (§6.3); only before the first field (§4.2).
                if (fieldSeen)
                {
                    throw new HPackDecodingException(
                        "Dynamic table size update after a header field (RFC 7541 §4.2).");
                }

                int size = PrefixInteger.Decode(headerBlock, ref position, 5);
                if (size > _maxDynamicTableSize)
                {
                    throw new HPackDecodingException(
                        $"Dynamic table size update to {size} exceeds the maximum of {_maxDynamicTableSize} (RFC 7541 §6.3).");
                }

                _table.SetMaxSize(size);
                _sizeUpdateRequired = false;
            }
            else
            {
                // Literal without indexing (0000) or never indexed (0001), 4-bit name index (§6.2.2, §6.2.3).
                bool neverIndexed = (first & 0x10) != 0;
                DecodeLiteral(headerBlock, ref position, 4, sink, addToTable: false, neverIndexed);
                fieldSeen = true;
            }
        }
    }

    private void DecodeLiteral(
        ReadOnlySpan<byte> block, ref int position, int prefixBits, IHeaderFieldSink sink, bool addToTable, bool neverIndexed)
    {
        int nameIndex = PrefixInteger.Decode(block, ref position, prefixBits);
        ReadOnlySpan<byte> name = nameIndex == 0
            ? ReadString(block, ref position, ref _nameScratch)
            : GetName(nameIndex);
        ReadOnlySpan<byte> value = ReadString(block, ref position, ref _valueScratch);

        sink.OnHeaderField(name, value, neverIndexed);

        if (addToTable)
        {
            // The name may point into the table; Insert copies it before anything can overwrite it.
            _table.Insert(name, value);
        }
    }

    // String literal (§5.2): H bit, 7-bit length, then raw or Huffman-encoded octets.
    /// <summary>Returns the Huffman scratch buffers to the pool (between header blocks; they are rented again when needed).</summary>
    internal void ReleaseScratch()
    {
        foreach (byte[] scratch in (byte[][])[_nameScratch, _valueScratch])
        {
            if (scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        _nameScratch = _valueScratch = [];
    }

    private ReadOnlySpan<byte> ReadString(ReadOnlySpan<byte> block, ref int position, ref byte[] scratch)
    {
        if (position >= block.Length)
        {
            throw new HPackDecodingException("Truncated header block: string literal expected (RFC 7541 §5.2).");
        }

        bool huffman = (block[position] & 0x80) != 0;
        int length = PrefixInteger.Decode(block, ref position, 7);

        // Checked before touching the data. Huffman codes are at most 30 bits, so `length` octets decode to at least
        // (8 * length - 7) / 30 symbols.
        long minimumDecoded = huffman ? ((8L * length) - 7 + 29) / 30 : length;
        if (minimumDecoded > _maxStringLength)
        {
            throw new HPackDecodingException(
                $"String literal exceeds the maximum length of {_maxStringLength} octets.");
        }

        if (length > block.Length - position)
        {
            throw new HPackDecodingException("Truncated string literal in header block (RFC 7541 §5.2).");
        }

        ReadOnlySpan<byte> data = block.Slice(position, length);
        position += length;
        if (!huffman)
        {
            return data;
        }

        // Codes are at least 5 bits, so at most 8 * length / 5 symbols; never more than the limit.
        int capacity = (int)Math.Min(_maxStringLength, 8L * length / 5);
        if (scratch.Length < capacity)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, MinScratchSize));
            if (scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = larger;
        }

        int written = Huffman.Decode(data, scratch.AsSpan(0, capacity));
        return scratch.AsSpan(0, written);
    }

    private ReadOnlySpan<byte> GetName(int index) =>
        index <= StaticTable.Count ? StaticTable.GetName(index) : _table.GetName(DynamicIndex(index));

    private ReadOnlySpan<byte> GetValue(int index) =>
        index <= StaticTable.Count ? StaticTable.GetValue(index) : _table.GetValue(DynamicIndex(index));

    // Index space (§2.3.3): 1-61 static, 62 onward dynamic, newest first.
    private int DynamicIndex(int index)
    {
        int dynamicIndex = index - StaticTable.Count - 1;
        if (dynamicIndex >= _table.Count)
        {
            throw new HPackDecodingException(
                $"Header field index {index} is beyond the static and dynamic tables (RFC 7541 §2.3.3).");
        }

        return dynamicIndex;
    }
}
