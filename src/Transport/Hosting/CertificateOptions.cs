namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The server certificate of an https endpoint (configuration <c>Http2Lab:Endpoints:&lt;name&gt;:Certificate</c>).
/// </summary>
/// <remarks>
/// <see cref="Path"/> is either a PEM certificate (with <see cref="KeyPath"/> naming its PEM private key,
/// or with the key in the same file) or a PFX/PKCS#12 file (no <see cref="KeyPath"/>, optional
/// <see cref="Password"/>). When <see cref="Path"/> is empty, a self-signed development certificate is used.
/// </remarks>
public sealed class CertificateOptions
{
    /// <summary>Path of the PEM certificate or PFX file; empty means "use the development certificate".</summary>
    public string? Path { get; set; }

    /// <summary>Path of the PEM private key that belongs to a PEM <see cref="Path"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PFX file, or of an encrypted PEM private key.</summary>
    public string? Password { get; set; }

    /// <summary>True when a certificate file is configured (as opposed to the development certificate).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Path);
}
