using Http2Lab.Transport.Dispatchers;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Validates <see cref="TransportOptions"/> at host start (<c>ValidateOnStart</c>). Each problem is one message
/// that starts with the configuration key at fault, e.g.
/// <c>Http2Lab:Endpoints:h2c:Url: 'htp://x' is not a valid URL: the scheme 'htp' is not supported (use http or https)</c>.
/// </summary>
/// <remarks>
/// What can only be known by trying (a certificate's password, a port already in use) is reported at bind time
/// as <see cref="Http2LabConfigurationException"/>.
/// </remarks>
internal sealed class TransportOptionsValidator(
    DispatcherRegistry dispatchers,
    ProtocolRegistry protocols,
    TransportConfigurationKeys keys,
    Microsoft.Extensions.Hosting.IHostEnvironment? environment = null) : IValidateOptions<TransportOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportOptions options)
    {
        var failures = new List<string>();
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            failures.Add($"{keys.Endpoints}: no endpoints are configured (for example {keys.Endpoint("h2c")}:Url=http://127.0.0.1:8080)");
        }
        else
        {
            var urls = new List<(string Key, string Text, EndpointUrl Url)>();
            foreach (var (endpointName, endpoint) in options.Endpoints)
            {
                if (ValidateEndpoint(endpointName, endpoint, failures) is { } url)
                {
                    urls.Add((keys.Setting(endpointName, endpoint!, "Url"), endpoint!.Url, url));
                }
            }

            FindSharedPorts(urls, failures);
        }

        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{keys.Section}:HandshakeTimeout: '{options.HandshakeTimeout}' must be positive");
        }

        if (options.ShutdownTimeout < TimeSpan.Zero)
        {
            failures.Add($"{keys.Section}:ShutdownTimeout: '{options.ShutdownTimeout}' must not be negative");
        }

        if (options.Limits is { MaxConnections: < 1 })
        {
            failures.Add($"{keys.Section}:Limits:MaxConnections: {options.Limits.MaxConnections} must be at least 1");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Adds the endpoint's problems to <paramref name="failures"/>; returns its URL when that is valid.</summary>
    private EndpointUrl? ValidateEndpoint(string name, EndpointOptions? endpoint, List<string> failures)
    {
        if (endpoint is null)
        {
            failures.Add($"{keys.Endpoint(name)}: the endpoint has no settings (it needs at least a Url)");
            return null;
        }

        string Key(string setting) => keys.Setting(name, endpoint, setting);
        var key = keys.Endpoint(name, endpoint);

        EndpointUrl? url = null;
        if (string.IsNullOrWhiteSpace(endpoint.Url))
        {
            failures.Add($"{Key("Url")}: no URL is configured (expected http://host:port or https://host:port)");
        }
        else if (!EndpointUrl.TryParse(endpoint.Url, out url, out var problem))
        {
            failures.Add($"{Key("Url")}: '{endpoint.Url}' is not a valid URL: {problem}");
        }

        if (!dispatchers.Contains(endpoint.Dispatcher))
        {
            failures.Add($"{Key("Dispatcher")}: unknown dispatcher '{endpoint.Dispatcher}' (known: {string.Join(", ", dispatchers.Names)})");
        }
        else if (url is { IsHttps: true } && !dispatchers.SupportsTls(endpoint.Dispatcher))
        {
            failures.Add($"{Key("Dispatcher")}: the {endpoint.Dispatcher} dispatcher does not serve https endpoints yet (use http://, or another dispatcher)");
        }

        if (endpoint.MaxConnections is < 1)
        {
            failures.Add($"{Key("MaxConnections")}: {endpoint.MaxConnections} must be at least 1");
        }

        if (endpoint.MaxClients < 1)
        {
            failures.Add($"{Key("MaxClients")}: {endpoint.MaxClients} must be at least 1");
        }

        if (endpoint.PollTimeout is { } poll && poll <= TimeSpan.Zero)
        {
            failures.Add($"{Key("PollTimeout")}: '{poll}' must be positive (leave it empty for infinite)");
        }

        if (endpoint.NoClientPollTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            failures.Add($"{Key("NoClientPollTimeout")}: '{idle}' must be positive (leave it empty for infinite)");
        }

        if (!Echo.EchoModes.TryParse(endpoint.EchoMode, out _))
        {
            failures.Add($"{Key("EchoMode")}: '{endpoint.EchoMode}' is not an echo mode (Lines or Bytes)");
        }

        if (!Tls.Engines.TlsEngines.IsKnown(endpoint.TlsEngine))
        {
            failures.Add($"{Key("TlsEngine")}: unknown TLS engine '{endpoint.TlsEngine}' (known: {string.Join(", ", Tls.Engines.TlsEngines.Names)})");
        }

        if (endpoint.EchoBufferSize is < 64 or > 64 * 1024 * 1024)
        {
            failures.Add($"{Key("EchoBufferSize")}: {endpoint.EchoBufferSize} is outside 64..67108864");
        }

        if (!protocols.TryGet(endpoint.Protocol, out _))
        {
            var known = protocols.Names.Count == 0 ? "none registered" : string.Join(", ", protocols.Names);
            failures.Add($"{Key("Protocol")}: unknown protocol '{endpoint.Protocol}' (known: {known})");
        }

        ValidateTlsSettings(name, endpoint, failures);

        // Certificates matter only for https; on http they are ignored.
        if (url is { IsHttps: true } && endpoint.Certificate is { } certificate)
        {
            ValidateCertificateFiles($"{key}:Certificate", certificate, failures);
            if (!certificate.IsConfigured && !Tls.DevelopmentCertificatePolicy.Allows(environment?.EnvironmentName))
            {
                failures.Add(endpoint.GeneratedFrom is null
                    ? $"{key}:Certificate: {Tls.DevelopmentCertificatePolicy.Refusal(environment?.EnvironmentName)}"
                    : $"{key}: '{endpoint.Url}' needs a certificate: {Tls.DevelopmentCertificatePolicy.Refusal(environment?.EnvironmentName)} (configure it as an endpoint under {keys.Endpoints})");
            }
        }

        return url;
    }

    /// <summary>The optional TLS settings: checked on every endpoint (a typo is a typo), used only by https ones.</summary>
    private void ValidateTlsSettings(string name, EndpointOptions endpoint, List<string> failures)
    {
        string Key(string setting) => keys.Setting(name, endpoint, setting);
        if (!Tls.TlsPolicy.TryParseProtocols(endpoint.SslProtocols, out _, out var bad))
        {
            failures.Add($"{Key("SslProtocols")}:{bad}: '{endpoint.SslProtocols[bad]}' is not a supported TLS version ({string.Join(", ", Tls.TlsPolicy.ProtocolNames)})");
        }

        if (!Tls.TlsPolicy.TryParseClientCertificateMode(endpoint.ClientCertificateMode, out _))
        {
            failures.Add($"{Key("ClientCertificateMode")}: '{endpoint.ClientCertificateMode}' is not a client certificate mode (NoCertificate, AllowCertificate, RequireCertificate)");
        }

        foreach (var (hostName, sni) in endpoint.Sni ?? [])
        {
            var sniKey = $"{Key("Sni")}:{hostName}";
            if (!Tls.SniMap<object>.IsValidPattern(hostName))
            {
                failures.Add($"{sniKey}: '{hostName}' is not a host name, '*.' and a domain, or '*'");
            }

            if (sni?.Certificate is not { IsConfigured: true })
            {
                failures.Add($"{sniKey}:Certificate:Path: no certificate file is configured (SNI entries need their own certificate)");
            }
        }
    }

    /// <summary>
    /// Two endpoints on the same port whose addresses overlap would fail at bind time with "address in use", which
    /// reads as if another server were listening; name both keys instead. Port 0 never collides.
    /// </summary>
    private static void FindSharedPorts(List<(string Key, string Text, EndpointUrl Url)> urls, List<string> failures)
    {
        for (var i = 0; i < urls.Count; i++)
        {
            for (var j = i + 1; j < urls.Count; j++)
            {
                var (a, b) = (urls[i], urls[j]);
                if (a.Url.UnixSocketPath is { } path && path == b.Url.UnixSocketPath)
                {
                    failures.Add(a.Key == b.Key ? $"{a.Key}: '{a.Text}' and '{b.Text}' both bind unix:{path}" : $"{a.Key} and {b.Key} both bind unix:{path}");
                    continue;
                }

                if (a.Url.IsUnixSocket || b.Url.IsUnixSocket || a.Url.Port == 0 || a.Url.Port != b.Url.Port || EndpointAddresses.Shared(a.Url, b.Url) is not { } host)
                {
                    continue;
                }

                var where = $"{host}:{a.Url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
                failures.Add(a.Key == b.Key
                    ? $"{a.Key}: '{a.Text}' and '{b.Text}' both bind {where}"
                    : $"{a.Key} and {b.Key} both bind {where}");
            }
        }
    }

    private static void ValidateCertificateFiles(string key, CertificateOptions certificate, List<string> failures)
    {
        if (!certificate.IsConfigured)
        {
            if (!string.IsNullOrWhiteSpace(certificate.KeyPath))
            {
                failures.Add($"{key}:Path: a KeyPath is configured but no certificate Path");
            }

            return;
        }

        if (!File.Exists(certificate.Path))
        {
            failures.Add($"{key}:Path: the file '{certificate.Path}' does not exist");
        }

        if (!string.IsNullOrWhiteSpace(certificate.KeyPath) && !File.Exists(certificate.KeyPath))
        {
            failures.Add($"{key}:KeyPath: the file '{certificate.KeyPath}' does not exist");
        }
    }
}
