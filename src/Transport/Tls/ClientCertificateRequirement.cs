namespace Http2Lab.Transport.Tls;

/// <summary>Whether an https endpoint asks its clients for a certificate (<c>ClientCertificateMode</c>, named as Kestrel's).</summary>
internal enum ClientCertificateRequirement
{
    /// <summary>Not asked for.</summary>
    NoCertificate,

    /// <summary>Asked for; a client may send none, but one it sends must be valid.</summary>
    AllowCertificate,

    /// <summary>A handshake without a valid client certificate fails.</summary>
    RequireCertificate,
}
