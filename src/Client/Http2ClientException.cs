using Http2Lab.Http2.Frames;

namespace Http2Lab.Client;

/// <summary>A request failed at the HTTP/2 level: the connection could not be made, or its stream or connection ended with an error.</summary>
public sealed class Http2ClientException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public Http2ClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    public Http2ClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an HTTP/2 error code (RST_STREAM or GOAWAY).</summary>
    public Http2ClientException(string message, Http2ErrorCode errorCode, bool refused)
        : base(message)
    {
        ErrorCode = errorCode;
        IsRefused = refused;
    }

    /// <summary>The RST_STREAM or GOAWAY error code that ended the request, if any.</summary>
    public Http2ErrorCode? ErrorCode { get; }

    /// <summary>The server did not process the request (REFUSED_STREAM, or above its GOAWAY's last stream id): it is safe to retry (§8.7).</summary>
    public bool IsRefused { get; }
}
