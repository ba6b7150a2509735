namespace Http2Lab.Http2.HPack;

/// <summary>
/// A header block could not be decoded (RFC 7541 §2.3.3 / §5 / §6). In HTTP/2 this is a connection error of
/// type COMPRESSION_ERROR (RFC 9113 §4.3), since the decoding context is no longer in sync with the peer.
/// </summary>
internal sealed class HPackDecodingException : Exception
{
    /// <summary>Creates the exception with a description of the problem.</summary>
    /// <param name="message">What was wrong with the header block.</param>
    public HPackDecodingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a description of the problem and its cause.</summary>
    /// <param name="message">What was wrong with the header block.</param>
    /// <param name="inner">The underlying error.</param>
    public HPackDecodingException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
