namespace Http2Lab.Http2.HPack;

/// <summary>Receives the header fields produced by <see cref="HPackDecoder"/>, in block order.</summary>
internal interface IHeaderFieldSink
{
    /// <summary>Called once per decoded header field (RFC 7541 §3.2).</summary>
    /// <param name="name">The field name; only valid for the duration of the call.</param>
    /// <param name="value">The field value; only valid for the duration of the call.</param>
    /// <param name="neverIndexed">
    /// True when the field was sent as "literal never indexed" (§6.2.3): intermediaries must re-encode it the same way.
    /// </param>
    void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed);
}
