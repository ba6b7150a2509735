namespace Http2Lab.Http2.Session;

/// <summary>The seven stream states of RFC 9113 §5.1.</summary>
internal enum StreamState : byte
{
    /// <summary>Not yet used.</summary>
    Idle,
    /// <summary>Promised by us with PUSH_PROMISE.</summary>
    ReservedLocal,
    /// <summary>Promised by the peer with PUSH_PROMISE.</summary>
    ReservedRemote,
    /// <summary>Both sides may send.</summary>
    Open,
    /// <summary>We sent END_STREAM; the peer may still send.</summary>
    HalfClosedLocal,
    /// <summary>The peer sent END_STREAM; we may still send.</summary>
    HalfClosedRemote,
    /// <summary>Finished.</summary>
    Closed,
}
