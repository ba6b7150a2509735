namespace Http2Lab.Http2.Session;

/// <summary>
/// What the peer may do cheaply and often enough to be an attack, so a role may ration it (see
/// <see cref="Http2SessionCore{TStream}"/>'s <c>WithinRate</c>): each costs us work or output.
/// </summary>
internal enum RateLimitedEvent : byte
{
    /// <summary>A stream reset by the peer, or one its frames made us reset or refuse (CVE-2023-44487, rapid reset).</summary>
    Reset,
    /// <summary>A PING we must acknowledge (§6.7).</summary>
    Ping,
    /// <summary>A SETTINGS frame after the first, which we must apply and acknowledge (§6.5.3).</summary>
    Settings,
}
