namespace Http2Lab.Client.Probe;

/// <summary>What a server did with a probe case.</summary>
public enum Http2ProbeOutcomeKind
{
    /// <summary>A connection error: GOAWAY with an error code (§5.4.1).</summary>
    GoAway,
    /// <summary>A stream error: RST_STREAM with an error code (§5.4.2).</summary>
    RstStream,
    /// <summary>A response header section (a <c>:status</c>).</summary>
    Response,
    /// <summary>Nothing but the acknowledgement of the PING sent after the case: the frames were ignored.</summary>
    Ignored,
    /// <summary>The connection closed without a GOAWAY.</summary>
    Closed,
    /// <summary>No reaction within the probe's timeout.</summary>
    Timeout,
    /// <summary>The probe could not run the case (connection or handshake failed).</summary>
    Error,
}
