namespace Http2Lab.Transport.Tls.Engines;

/// <summary>The life of an <see cref="ITlsEngine"/>.</summary>
internal enum TlsEngineState
{
    /// <summary>The handshake is in progress.</summary>
    Handshaking,

    /// <summary>Application data flows both ways.</summary>
    Established,

    /// <summary>The client sent close_notify: no more application data from it (we may still send until <see cref="ITlsEngine.Close"/>).</summary>
    Closed,

    /// <summary>The handshake or a record failed; see <see cref="ITlsEngine.FailureReason"/>.</summary>
    Failed,
}
