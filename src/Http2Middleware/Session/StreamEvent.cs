namespace Http2Lab.Http2.Session;

/// <summary>What moves a stream between states (the arrows of the RFC 9113 §5.1 diagram).</summary>
internal enum StreamEvent : byte
{
    /// <summary>HEADERS sent (without END_STREAM).</summary>
    SendHeaders,
    /// <summary>HEADERS received (without END_STREAM).</summary>
    ReceiveHeaders,
    /// <summary>PUSH_PROMISE sent.</summary>
    SendPushPromise,
    /// <summary>PUSH_PROMISE received.</summary>
    ReceivePushPromise,
    /// <summary>A frame with END_STREAM sent.</summary>
    SendEndStream,
    /// <summary>A frame with END_STREAM received.</summary>
    ReceiveEndStream,
    /// <summary>RST_STREAM sent.</summary>
    SendReset,
    /// <summary>RST_STREAM received.</summary>
    ReceiveReset,
}
