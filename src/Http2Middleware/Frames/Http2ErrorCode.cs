namespace Http2Lab.Http2.Frames;

/// <summary>Error codes carried by RST_STREAM and GOAWAY (RFC 9113 §7).</summary>
public enum Http2ErrorCode : uint
{
    /// <summary>Graceful shutdown; not an error.</summary>
    NoError = 0x0,
    /// <summary>Unspecific protocol error.</summary>
    ProtocolError = 0x1,
    /// <summary>Unexpected internal error.</summary>
    InternalError = 0x2,
    /// <summary>The peer violated flow control.</summary>
    FlowControlError = 0x3,
    /// <summary>SETTINGS was not acknowledged in time.</summary>
    SettingsTimeout = 0x4,
    /// <summary>A frame arrived after the stream was half-closed.</summary>
    StreamClosed = 0x5,
    /// <summary>A frame had an invalid size.</summary>
    FrameSizeError = 0x6,
    /// <summary>The stream was refused before any application processing.</summary>
    RefusedStream = 0x7,
    /// <summary>The stream is no longer needed.</summary>
    Cancel = 0x8,
    /// <summary>The header compression context cannot be maintained.</summary>
    CompressionError = 0x9,
    /// <summary>A CONNECT request's connection was reset or closed.</summary>
    ConnectError = 0xa,
    /// <summary>The peer is generating excessive load.</summary>
    EnhanceYourCalm = 0xb,
    /// <summary>The transport does not meet minimum security requirements.</summary>
    InadequateSecurity = 0xc,
    /// <summary>HTTP/1.1 is required instead of HTTP/2.</summary>
    Http11Required = 0xd,
}
