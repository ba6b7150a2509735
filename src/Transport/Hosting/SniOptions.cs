namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The TLS settings an https endpoint uses for one host name a client asks for (configuration
/// <c>Http2Lab:Endpoints:&lt;name&gt;:Sni:&lt;host name&gt;</c>).
/// </summary>
public sealed class SniOptions
{
    /// <summary>The certificate served to clients asking for this host name; it must be configured (no development certificate).</summary>
    public CertificateOptions Certificate { get; set; } = new();
}
