namespace Http2Lab.Http2.HPack;

/// <summary>When the encoder applies the Huffman code to string literals (RFC 7541 §5.2).</summary>
internal enum HuffmanPolicy
{
    /// <summary>Always send string literals as raw octets.</summary>
    Never,

    /// <summary>Always Huffman-encode string literals.</summary>
    Always,

    /// <summary>Huffman-encode a literal only when the result is strictly shorter than the raw octets.</summary>
    Shorter,
}
