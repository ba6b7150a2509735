using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tls;

/// <summary>
/// The optional TLS settings of an https endpoint, parsed and loaded: allowed versions, client certificates and the
/// certificates by SNI host name. Every TLS path (SslStream and the memory-buffer engines) applies the same policy.
/// </summary>
internal sealed class TlsPolicy
{
    /// <summary>The settings of an endpoint that configures none of them: TLS 1.2 and 1.3, no client certificate, no SNI map.</summary>
    public static readonly TlsPolicy Default = new(SslProtocols.Tls12 | SslProtocols.Tls13, ClientCertificateRequirement.NoCertificate, null, null, []);

    /// <summary>The names <c>SslProtocols</c> accepts.</summary>
    public static IReadOnlyList<string> ProtocolNames { get; } = ["Tls12", "Tls13"];

    /// <summary>Creates the policy.</summary>
    public TlsPolicy(
        SslProtocols protocols,
        ClientCertificateRequirement clientCertificates,
        string? authoritiesPath,
        X509Certificate2Collection? authorities,
        IReadOnlyList<KeyValuePair<string, X509Certificate2>> sniCertificates)
    {
        Protocols = protocols;
        ClientCertificates = clientCertificates;
        AuthoritiesPath = authoritiesPath;
        Authorities = authorities;
        SniCertificates = sniCertificates;
    }

    /// <summary>The TLS versions a client may negotiate (Tls12, Tls13 or both).</summary>
    public SslProtocols Protocols { get; }

    /// <summary>Whether a client certificate is asked for.</summary>
    public ClientCertificateRequirement ClientCertificates { get; }

    /// <summary>The PEM file of authorities a client certificate must chain to; null: the system's trusted roots.</summary>
    public string? AuthoritiesPath { get; }

    /// <summary>The certificates of <see cref="AuthoritiesPath"/>.</summary>
    public X509Certificate2Collection? Authorities { get; }

    /// <summary>Certificates by SNI host name pattern (see <see cref="SniMap{T}"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, X509Certificate2>> SniCertificates { get; }

    /// <summary>Parses the <c>SslProtocols</c> list (empty: both versions); false with the offending entry otherwise.</summary>
    public static bool TryParseProtocols(IReadOnlyList<string>? names, out SslProtocols protocols, out int badIndex)
    {
        protocols = SslProtocols.None;
        badIndex = -1;
        for (int i = 0; i < (names?.Count ?? 0); i++)
        {
            switch (names![i]?.Trim().ToUpperInvariant())
            {
                case "TLS12": protocols |= SslProtocols.Tls12; break;
                case "TLS13": protocols |= SslProtocols.Tls13; break;
                default:
                    badIndex = i;
                    return false;
            }
        }

        if (protocols == SslProtocols.None)
        {
            protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        }

        return true;
    }

    /// <summary>Parses <c>ClientCertificateMode</c> (case-insensitive; empty: NoCertificate).</summary>
    public static bool TryParseClientCertificateMode(string? name, out ClientCertificateRequirement mode)
    {
        mode = ClientCertificateRequirement.NoCertificate;
        return string.IsNullOrWhiteSpace(name)
            || (Enum.TryParse(name.Trim(), ignoreCase: true, out mode) && Enum.IsDefined(mode) && !int.TryParse(name, out _));
    }
}
