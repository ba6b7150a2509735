namespace Http2Lab.Http2.HPack;

/// <summary>How a literal header field is represented, and whether it enters the dynamic table (RFC 7541 §6.2).</summary>
internal enum HeaderIndexing
{
    /// <summary>Literal with incremental indexing: the field is added to the dynamic table (§6.2.1).</summary>
    Incremental,

    /// <summary>Literal without indexing: the dynamic table is left unchanged (§6.2.2).</summary>
    WithoutIndexing,

    /// <summary>
    /// Literal never indexed: not added to any table, and intermediaries must keep it a literal (§6.2.3).
    /// Use it for sensitive values such as credentials (§7.1.3).
    /// </summary>
    NeverIndexed,
}
