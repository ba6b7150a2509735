using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Tls;

/// <summary>
/// Loads the server certificate of an https endpoint: a PEM certificate and key, a PFX file, or (when none is
/// configured, and only in the Development environment) the <see cref="DevelopmentCertificate"/>. Every failure is an
/// <see cref="Http2LabConfigurationException"/> naming the configuration key at fault.
/// </summary>
internal sealed partial class ServerCertificateLoader
{
    private readonly ILogger _logger;
    private readonly string? _contentRoot;
    private readonly string? _environmentName;
    private int _developmentAnnounced;

    /// <summary>Creates the loader.</summary>
    /// <param name="logger">Logs (once) the use of the development certificate.</param>
    /// <param name="environment">
    /// The host's environment: relative certificate paths are resolved against its content root, and the development
    /// certificate is served only when it is Development (without one, never).
    /// </param>
    public ServerCertificateLoader(ILogger<ServerCertificateLoader> logger, Microsoft.Extensions.Hosting.IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        _contentRoot = environment?.ContentRootPath;
        _environmentName = environment?.EnvironmentName;
    }

    /// <summary>Whether an https endpoint without a certificate may be served with the development certificate.</summary>
    public bool AllowsDevelopmentCertificate => DevelopmentCertificatePolicy.Allows(_environmentName);

    /// <summary>Returns the certificate an https endpoint serves.</summary>
    /// <param name="endpointKey">The endpoint's configuration key, e.g. <c>Http2Lab:Endpoints:h2</c>.</param>
    /// <param name="endpoint">The endpoint's options.</param>
    /// <exception cref="Http2LabConfigurationException">The configured certificate cannot be loaded.</exception>
    public X509Certificate2 GetCertificate(string endpointKey, EndpointOptions endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Certificate.IsConfigured)
        {
            // As Kestrel: a relative path means one beside the application's content (appsettings.json), not one
            // beside wherever the process happened to be started.
            CertificateOptions configured = endpoint.Certificate;
            var resolved = new CertificateOptions
            {
                Path = FromContentRoot(configured.Path),
                KeyPath = FromContentRoot(configured.KeyPath),
                Password = configured.Password,
            };
            return Load(resolved, $"{endpointKey}:Certificate");
        }

        if (!AllowsDevelopmentCertificate)
        {
            // The validator reports this first; this guard keeps a host that skipped validation from serving a
            // self-signed certificate in production all the same.
            throw new Http2LabConfigurationException(
                endpoint.GeneratedFrom ?? $"{endpointKey}:Certificate", DevelopmentCertificatePolicy.Refusal(_environmentName));
        }

        var development = DevelopmentCertificate.Get();
        if (Interlocked.Exchange(ref _developmentAnnounced, 1) == 0)
        {
            // Once per host, not per endpoint: it is the same certificate.
            LogDevelopmentCertificate(_logger, DevelopmentCertificate.Sha256Thumbprint(development));
        }

        return development;
    }

    /// <summary>
    /// Loads an https endpoint's optional TLS settings (<see cref="TlsPolicy"/>): versions, client certificates and
    /// their authorities, and the certificates by SNI host name.
    /// </summary>
    /// <exception cref="Http2LabConfigurationException">A setting is invalid or a file cannot be loaded.</exception>
    public TlsPolicy LoadPolicy(string endpointKey, EndpointOptions endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!TlsPolicy.TryParseProtocols(endpoint.SslProtocols, out var protocols, out var bad))
        {
            throw new Http2LabConfigurationException(
                $"{endpointKey}:SslProtocols:{bad}", $"'{endpoint.SslProtocols[bad]}' is not a supported TLS version ({string.Join(", ", TlsPolicy.ProtocolNames)})");
        }

        if (!TlsPolicy.TryParseClientCertificateMode(endpoint.ClientCertificateMode, out var mode))
        {
            throw new Http2LabConfigurationException(
                $"{endpointKey}:ClientCertificateMode", $"'{endpoint.ClientCertificateMode}' is not a client certificate mode (NoCertificate, AllowCertificate, RequireCertificate)");
        }

        string? authoritiesPath = null;
        X509Certificate2Collection? authorities = null;
        if (mode != ClientCertificateRequirement.NoCertificate && !string.IsNullOrWhiteSpace(endpoint.ClientCertificateAuthorities))
        {
            authoritiesPath = Path.GetFullPath(FromContentRoot(endpoint.ClientCertificateAuthorities)!);
            authorities = LoadAuthorities($"{endpointKey}:ClientCertificateAuthorities", authoritiesPath);
        }

        var sni = new List<KeyValuePair<string, X509Certificate2>>();
        foreach (var (hostName, options) in endpoint.Sni)
        {
            var configured = options?.Certificate ?? new CertificateOptions();
            var resolved = new CertificateOptions
            {
                Path = FromContentRoot(configured.Path),
                KeyPath = FromContentRoot(configured.KeyPath),
                Password = configured.Password,
            };
            sni.Add(new(hostName, Load(resolved, $"{endpointKey}:Sni:{hostName}:Certificate")));
        }

        return new TlsPolicy(protocols, mode, authoritiesPath, authorities, sni);
    }

    private static X509Certificate2Collection LoadAuthorities(string key, string path)
    {
        RequireFile(key, path);
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new Http2LabConfigurationException(key, $"'{path}' is not a readable PEM file of certificates: {ex.Message}", ex);
        }

        return authorities.Count > 0
            ? authorities
            : throw new Http2LabConfigurationException(key, $"'{path}' holds no PEM certificate");
    }

    private string? FromContentRoot(string? path) =>
        string.IsNullOrWhiteSpace(path) || _contentRoot is null || Path.IsPathRooted(path) ? path : Path.Combine(_contentRoot, path);

    /// <summary>Loads a configured certificate (PEM certificate + key, or PFX).</summary>
    /// <param name="options">The certificate options; <see cref="CertificateOptions.Path"/> must be set.</param>
    /// <param name="certificateKey">The configuration key of <paramref name="options"/>, e.g. <c>Http2Lab:Endpoints:h2:Certificate</c>.</param>
    /// <returns>A certificate with a private key usable by <see cref="System.Net.Security.SslStream"/>.</returns>
    /// <exception cref="Http2LabConfigurationException">A file is missing or unreadable, or the password is wrong.</exception>
    public static X509Certificate2 Load(CertificateOptions options, string certificateKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pathKey = $"{certificateKey}:Path";
        var path = options.Path;
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new Http2LabConfigurationException(pathKey, "no certificate file is configured");
        }

        RequireFile(pathKey, path);
        var password = string.IsNullOrEmpty(options.Password) ? null : options.Password;
        if (!string.IsNullOrWhiteSpace(options.KeyPath))
        {
            RequireFile($"{certificateKey}:KeyPath", options.KeyPath);
            return LoadPem(certificateKey, path, options.KeyPath, password);
        }

        return LooksLikePem(pathKey, path)
            ? LoadPem(certificateKey, path, keyPath: null, password)
            : LoadPfx(certificateKey, path, password);
    }

    private static X509Certificate2 LoadPfx(string certificateKey, string path, string? password)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException ex)
        {
            if (!IsPkcs12(path))
            {
                throw new Http2LabConfigurationException(
                    $"{certificateKey}:Path", $"'{path}' is neither a PFX (PKCS#12) file nor a PEM certificate", ex);
            }

            throw new Http2LabConfigurationException(
                $"{certificateKey}:Password",
                password is null ? $"'{path}' needs a password" : $"the password does not open '{path}'",
                ex);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new Http2LabConfigurationException($"{certificateKey}:Path", $"'{path}' holds no private key");
        }

        return certificate;
    }

    private static X509Certificate2 LoadPem(string certificateKey, string path, string? keyPath, string? password)
    {
        // Read the certificate alone first, so a bad certificate and a bad key give different keys in the message.
        try
        {
            using var publicOnly = X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException ex)
        {
            throw new Http2LabConfigurationException(
                $"{certificateKey}:Path", $"'{path}' is not a readable PEM certificate", ex);
        }

        var keyFile = keyPath ?? path;
        var keyKey = keyPath is null ? $"{certificateKey}:Path" : $"{certificateKey}:KeyPath";
        try
        {
            using var withKey = password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);

            // Re-import through PKCS#12: a PEM-loaded key is ephemeral, which SslStream cannot use on every platform.
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            if (password is not null && IsEncryptedPemKey(keyFile))
            {
                throw new Http2LabConfigurationException(
                    $"{certificateKey}:Password", $"the password does not decrypt the private key in '{keyFile}'", ex);
            }

            throw new Http2LabConfigurationException(
                keyKey, $"'{keyFile}' does not hold a readable PEM private key matching the certificate in '{path}'", ex);
        }
    }

    private static bool IsPkcs12(string path)
    {
        try
        {
            return X509Certificate2.GetCertContentType(path) == X509ContentType.Pkcs12;
        }
        catch (CryptographicException)
        {
            return false; // Not even DER: certainly not a PFX.
        }
    }

    private static void RequireFile(string key, string path)
    {
        if (!File.Exists(path))
        {
            throw new Http2LabConfigurationException(key, $"the file '{path}' does not exist");
        }
    }

    private static bool LooksLikePem(string pathKey, string path)
    {
        try
        {
            Span<byte> head = stackalloc byte[64];
            using var file = File.OpenRead(path);
            var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.ASCII.GetString(head[..read]).TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Http2LabConfigurationException(pathKey, $"the file '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static bool IsEncryptedPemKey(string keyFile)
    {
        try
        {
            return File.ReadAllText(keyFile).Contains("ENCRYPTED", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "Using a self-signed development certificate for localhost, SHA-256 thumbprint {Thumbprint}")]
    private static partial void LogDevelopmentCertificate(ILogger logger, string thumbprint);
}
