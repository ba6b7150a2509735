using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Http2Lab.Http2.HPack;

/// <summary>
/// Encodes header fields into HPACK header blocks (RFC 7541) for one connection; the dynamic table persists across
/// blocks, so blocks must be sent in the order they were encoded. Call <see cref="BeginHeaderBlock"/> at the start
/// of every block. Not thread-safe.
/// </summary>
internal sealed class HPackEncoder
{
    private const int StackBufferSize = 512;
    private const int FirstDynamicIndex = StaticTable.Count + 1;
    private const int StatusNameIndex = 8;
    private const int DefaultPeerTableSize = 4096; // SETTINGS_HEADER_TABLE_SIZE default (RFC 9113 §6.5.2)

    private readonly DynamicTable _table;
    private readonly int _tableSizeLimit;
    private HuffmanPolicy _huffman = HuffmanPolicy.Shorter;

    // Size updates owed to the peer's decoder, written by the next BeginHeaderBlock (§4.2, §6.3).
    private bool _sizeUpdatePending;
    private int _pendingMinimumSize;
    private int _pendingFinalSize;

    /// <summary>Creates an encoder with an empty dynamic table.</summary>
    /// <param name="maxDynamicTableSize">
    /// The most this encoder is willing to use for its dynamic table, whatever the peer allows. It starts at the
    /// smaller of this and the protocol default of 4096, which the peer's decoder starts with, so no size update
    /// is needed for it.
    /// </param>
    public HPackEncoder(int maxDynamicTableSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDynamicTableSize);
        _tableSizeLimit = maxDynamicTableSize;
        _table = new DynamicTable(Math.Min(maxDynamicTableSize, DefaultPeerTableSize));
    }

    /// <summary>When string literals are Huffman-encoded, unless a call says otherwise (§5.2).</summary>
    public HuffmanPolicy Huffman
    {
        get => _huffman;
        set
        {
            if ((uint)value > (uint)HuffmanPolicy.Shorter)
            {
                throw new ArgumentOutOfRangeException(nameof(value));
            }

            _huffman = value;
        }
    }

    /// <summary>Current size of the dynamic table in octets: 32 + name + value per entry (§4.1).</summary>
    public int DynamicTableSize => _table.Size;

    /// <summary>Number of entries in the dynamic table.</summary>
    public int DynamicTableCount => _table.Count;

    /// <summary>Whether the next header block must start with a dynamic table size update (§4.2).</summary>
    internal bool HasPendingSizeUpdate => _sizeUpdatePending;

    /// <summary>The dynamic table, for tests.</summary>
    internal DynamicTable Table => _table;

    /// <summary>
    /// The peer's SETTINGS_HEADER_TABLE_SIZE changed. The table is limited to the smaller of that value and the
    /// constructor's limit; a reduction evicts at once. The next <see cref="BeginHeaderBlock"/> signals the change:
    /// when the size went down and up again in between, the smallest size first, then the final one (§4.2).
    /// </summary>
    /// <param name="settingsValue">The peer's SETTINGS_HEADER_TABLE_SIZE.</param>
    public void SetPeerMaxTableSize(int settingsValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(settingsValue);
        int target = Math.Min(settingsValue, _tableSizeLimit);
        if (!_sizeUpdatePending)
        {
            if (target == _table.MaxSize)
            {
                return;
            }

            _sizeUpdatePending = true;
            _pendingMinimumSize = target;
        }
        else
        {
            _pendingMinimumSize = Math.Min(_pendingMinimumSize, target);
        }

        _pendingFinalSize = target;

        // Growth waits for the signal; shrinking now keeps our entries a subset of the decoder's meanwhile.
        if (target < _table.MaxSize)
        {
            _table.SetMaxSize(target);
        }
    }

    /// <summary>Starts a header block: writes the pending dynamic table size updates, if any (§6.3).</summary>
    /// <param name="output">Receives the header block.</param>
    public void BeginHeaderBlock(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!_sizeUpdatePending)
        {
            return;
        }

        Span<byte> span = output.GetSpan(2 * PrefixInteger.MaxEncodedLength);
        int written = 0;
        if (_pendingMinimumSize < _pendingFinalSize)
        {
            written += PrefixInteger.Encode(_pendingMinimumSize, 5, 0x20, span);
        }

        written += PrefixInteger.Encode(_pendingFinalSize, 5, 0x20, span[written..]);
        output.Advance(written);
        _table.SetMaxSize(_pendingFinalSize);
        _sizeUpdatePending = false;
    }

    /// <summary>
    /// Encodes one header field: as an index when a table holds the same name and value (§6.1), otherwise as a
    /// literal with the smallest matching name index, or a literal name (§6.2). Never-indexed fields are always
    /// literals and never enter a table (§6.2.3).
    /// </summary>
    /// <param name="output">Receives the encoded field.</param>
    /// <param name="name">Field name (lowercase in HTTP/2).</param>
    /// <param name="value">Field value.</param>
    /// <param name="indexing">Literal representation to use, and whether the field enters the dynamic table.</param>
    /// <param name="huffman">Whether to Huffman-encode the literals; null follows <see cref="Huffman"/>.</param>
    public void EncodeHeader(
        IBufferWriter<byte> output,
        ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> value,
        HeaderIndexing indexing = HeaderIndexing.Incremental,
        bool? huffman = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if ((uint)indexing > (uint)HeaderIndexing.NeverIndexed)
        {
            throw new ArgumentOutOfRangeException(nameof(indexing));
        }

        int fullIndex = StaticTable.Find(name, value, out int nameIndex);
        if (fullIndex == 0)
        {
            int dynamicIndex = _table.Find(name, value, out int dynamicNameIndex);
            fullIndex = dynamicIndex < 0 ? 0 : dynamicIndex + FirstDynamicIndex;
            if (nameIndex == 0 && dynamicNameIndex >= 0)
            {
                nameIndex = dynamicNameIndex + FirstDynamicIndex;
            }
        }

        if (fullIndex != 0 && indexing != HeaderIndexing.NeverIndexed)
        {
            WriteIndexed(output, fullIndex);
            return;
        }

        WriteLiteral(output, indexing, nameIndex, name, value, huffman);
        if (indexing == HeaderIndexing.Incremental)
        {
            _table.Insert(name, value);
        }
    }

    /// <summary>
    /// Encodes one header field given as strings, converted to Latin-1 octets (characters above U+00FF become '?').
    /// </summary>
    /// <param name="output">Receives the encoded field.</param>
    /// <param name="name">Field name (lowercase in HTTP/2).</param>
    /// <param name="value">Field value.</param>
    /// <param name="indexing">Literal representation to use, and whether the field enters the dynamic table.</param>
    /// <param name="huffman">Whether to Huffman-encode the literals; null follows <see cref="Huffman"/>.</param>
    public void EncodeHeader(
        IBufferWriter<byte> output,
        string name,
        string value,
        HeaderIndexing indexing = HeaderIndexing.Incremental,
        bool? huffman = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        int length = name.Length + value.Length;
        byte[]? rented = null;
        // Exactly the length: stack memory is zeroed on allocation, and a 512-octet buffer for a 20-octet field
        // showed up as memset in profiles (three times per response).
        Span<byte> buffer = length <= StackBufferSize
            ? stackalloc byte[length]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            Span<byte> nameBytes = buffer[..name.Length];
            Span<byte> valueBytes = buffer.Slice(name.Length, value.Length);
            ToLatin1(name, nameBytes);
            ToLatin1(value, valueBytes);
            EncodeHeader(output, nameBytes, valueBytes, indexing, huffman);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Encodes the :status pseudo-header: an index for the codes of the static table (200, 204, 206, 304, 400, 404,
    /// 500), otherwise a literal without indexing that reuses the :status name at index 8 (§6.2.2).
    /// </summary>
    /// <param name="output">Receives the encoded field.</param>
    /// <param name="statusCode">A three-digit status code (100-999).</param>
    public void EncodeStatus(IBufferWriter<byte> output, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(output);
        int index = statusCode switch
        {
            200 => 8,
            204 => 9,
            206 => 10,
            304 => 11,
            400 => 12,
            404 => 13,
            500 => 14,
            _ => 0,
        };
        if (index != 0)
        {
            WriteIndexed(output, index);
            return;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        Span<byte> digits = stackalloc byte[3];
        digits[0] = (byte)('0' + (statusCode / 100));
        digits[1] = (byte)('0' + (statusCode / 10 % 10));
        digits[2] = (byte)('0' + (statusCode % 10));
        WriteLiteral(output, HeaderIndexing.WithoutIndexing, StatusNameIndex, default, digits, huffman: null);
    }

    private static void WriteIndexed(IBufferWriter<byte> output, int index)
    {
        Span<byte> span = output.GetSpan(PrefixInteger.MaxEncodedLength);
        output.Advance(PrefixInteger.Encode(index, 7, 0x80, span)); // §6.1
    }

    // Literal header field (§6.2): first octet pattern and index prefix per representation, then the name literal
    // when nameIndex is 0, then the value literal.
    private void WriteLiteral(
        IBufferWriter<byte> output,
        HeaderIndexing indexing,
        int nameIndex,
        ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> value,
        bool? huffman)
    {
        (byte pattern, int prefixBits) = indexing switch
        {
            HeaderIndexing.Incremental => ((byte)0x40, 6),   // §6.2.1
            HeaderIndexing.WithoutIndexing => ((byte)0x00, 4), // §6.2.2
            _ => ((byte)0x10, 4),                             // §6.2.3
        };

        bool nameHuffman = false;
        int nameLength = 0;
        if (nameIndex == 0)
        {
            nameHuffman = UseHuffman(name, huffman, out nameLength);
        }

        bool valueHuffman = UseHuffman(value, huffman, out int valueLength);
        int maxLength = checked((3 * PrefixInteger.MaxEncodedLength) + nameLength + valueLength);
        Span<byte> span = output.GetSpan(maxLength);
        int written = PrefixInteger.Encode(nameIndex, prefixBits, pattern, span);
        if (nameIndex == 0)
        {
            written += WriteString(name, nameHuffman, nameLength, span[written..]);
        }

        written += WriteString(value, valueHuffman, valueLength, span[written..]);
        output.Advance(written);
    }

    // Decides on Huffman coding for one literal and reports the length of its encoded octets.
    private bool UseHuffman(ReadOnlySpan<byte> text, bool? huffman, out int encodedLength)
    {
        HuffmanPolicy policy = huffman switch
        {
            true => HuffmanPolicy.Always,
            false => HuffmanPolicy.Never,
            null => _huffman,
        };

        if (policy == HuffmanPolicy.Never)
        {
            encodedLength = text.Length;
            return false;
        }

        int huffmanLength = HPack.Huffman.GetEncodedLength(text);
        if (policy == HuffmanPolicy.Shorter && huffmanLength >= text.Length)
        {
            encodedLength = text.Length;
            return false;
        }

        encodedLength = huffmanLength;
        return true;
    }

    // String literal (§5.2): H bit and 7-bit length, then the octets.
    private static int WriteString(ReadOnlySpan<byte> text, bool huffman, int encodedLength, Span<byte> destination)
    {
        int written = PrefixInteger.Encode(encodedLength, 7, huffman ? (byte)0x80 : (byte)0, destination);
        if (huffman)
        {
            written += HPack.Huffman.Encode(text, destination[written..]);
        }
        else
        {
            text.CopyTo(destination[written..]);
            written += text.Length;
        }

        return written;
    }

    // Narrows UTF-16 to Latin-1, 16 characters per step while none is above U+00FF; '?' replaces wider characters.
    private static void ToLatin1(ReadOnlySpan<char> source, Span<byte> destination)
    {
        ReadOnlySpan<ushort> units = MemoryMarshal.Cast<char, ushort>(source);
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<ushort> latin1Max = Vector128.Create((ushort)0xFF);
            for (; i <= units.Length - 16; i += 16)
            {
                Vector128<ushort> low = Vector128.Create(units.Slice(i, 8));
                Vector128<ushort> high = Vector128.Create(units.Slice(i + 8, 8));
                if (Vector128.GreaterThanAny(low | high, latin1Max))
                {
                    break;
                }

                Vector128.Narrow(low, high).CopyTo(destination.Slice(i, 16));
            }
        }

        for (; i < units.Length; i++)
        {
            ushort unit = units[i];
            destination[i] = unit <= 0xFF ? (byte)unit : (byte)'?';
        }
    }
}
