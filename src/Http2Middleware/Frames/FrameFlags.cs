namespace Http2Lab.Http2.Frames;

/// <summary>Frame flag bits (RFC 9113 §6). Their meaning depends on the frame type.</summary>
[Flags]
public enum FrameFlags : byte
{
    /// <summary>No flag set.</summary>
    None = 0x0,
    /// <summary>END_STREAM on DATA and HEADERS.</summary>
    EndStream = 0x1,
    /// <summary>ACK on SETTINGS and PING (same bit as END_STREAM).</summary>
    Ack = 0x1,
    /// <summary>END_HEADERS on HEADERS, PUSH_PROMISE and CONTINUATION.</summary>
    EndHeaders = 0x4,
    /// <summary>PADDED on DATA, HEADERS and PUSH_PROMISE.</summary>
    Padded = 0x8,
    /// <summary>PRIORITY on HEADERS.</summary>
    Priority = 0x20,
}
