using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Tls;

/// <summary>
/// When the self-signed <see cref="DevelopmentCertificate"/> may stand in for a missing one: only in the Development
/// environment, as Kestrel does, so that a production host with a forgotten certificate fails at start instead of
/// serving a certificate no client trusts.
/// </summary>
internal static class DevelopmentCertificatePolicy
{
    /// <summary>Whether the environment named <paramref name="environmentName"/> allows it (no host environment: no).</summary>
    public static bool Allows(string? environmentName) =>
        environmentName is not null && string.Equals(environmentName, Environments.Development, StringComparison.OrdinalIgnoreCase);

    /// <summary>The problem (without the key) reported for an https endpoint without a certificate elsewhere.</summary>
    public static string Refusal(string? environmentName) =>
        $"no certificate is configured (set its Path, and KeyPath or Password); the self-signed development certificate " +
        $"is only used in the Development environment, and this is {(environmentName is null ? "no host environment" : $"'{environmentName}'")}";
}
