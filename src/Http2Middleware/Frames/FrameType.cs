namespace Http2Lab.Http2.Frames;

/// <summary>Frame type octet (RFC 9113 §6; ALTSVC from RFC 7838).</summary>
public enum FrameType : byte
{
    /// <summary>DATA (§6.1).</summary>
    Data = 0x0,
    /// <summary>HEADERS (§6.2).</summary>
    Headers = 0x1,
    /// <summary>PRIORITY (§6.3), deprecated but still parsed.</summary>
    Priority = 0x2,
    /// <summary>RST_STREAM (§6.4).</summary>
    RstStream = 0x3,
    /// <summary>SETTINGS (§6.5).</summary>
    Settings = 0x4,
    /// <summary>PUSH_PROMISE (§6.6); a server never receives one.</summary>
    PushPromise = 0x5,
    /// <summary>PING (§6.7).</summary>
    Ping = 0x6,
    /// <summary>GOAWAY (§6.8).</summary>
    GoAway = 0x7,
    /// <summary>WINDOW_UPDATE (§6.9).</summary>
    WindowUpdate = 0x8,
    /// <summary>CONTINUATION (§6.10).</summary>
    Continuation = 0x9,
    /// <summary>ALTSVC (RFC 7838 §4); ignored on receipt.</summary>
    AltSvc = 0xa,
}
