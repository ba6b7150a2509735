namespace Http2Lab.Http2.Frames;

/// <summary>Fixed numbers of the protocol (RFC 9113).</summary>
internal static class Http2Constants
{
    /// <summary>Length of the frame header (§4.1).</summary>
    public const int FrameHeaderLength = 9;

    /// <summary>Default and minimum SETTINGS_MAX_FRAME_SIZE (§6.5.2).</summary>
    public const int DefaultMaxFrameSize = 16384;

    /// <summary>Largest allowed SETTINGS_MAX_FRAME_SIZE, 2^24-1 (§6.5.2).</summary>
    public const int MaxAllowedFrameSize = (1 << 24) - 1;

    /// <summary>Initial flow-control window of every stream and the connection (§6.9.2).</summary>
    public const int DefaultInitialWindowSize = 65535;

    /// <summary>Largest flow-control window, 2^31-1 (§6.9.1).</summary>
    public const int MaxWindowSize = int.MaxValue;

    /// <summary>Default SETTINGS_HEADER_TABLE_SIZE (§6.5.2).</summary>
    public const int DefaultHeaderTableSize = 4096;

    /// <summary>Largest stream identifier, 2^31-1 (§5.1.1); a GOAWAY naming it announces a shutdown (§6.8).</summary>
    public const int MaxStreamId = int.MaxValue;

    /// <summary>Length of the PING payload (§6.7).</summary>
    public const int PingPayloadLength = 8;

    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (§3.4).</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
}
