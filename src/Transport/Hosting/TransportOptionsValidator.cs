using Http2Lab.Transport.Dispatchers;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Validates <see cref="TransportOptions"/> at host start (<c>ValidateOnStart</c>). Each problem is one message
/// that starts with the configuration key at fault, e.g.
/// <c>Http2Lab:Endpoints:h2c:Url: 'htp://x' is not a valid URL (expected http://host:port or https://host:port)</c>.
/// </summary>
/// <remarks>
/// What can only be known by trying (a certificate's password, a port already in use) is reported at bind time
/// as <see cref="Http2LabConfigurationException"/>.
/// </remarks>
internal sealed class TransportOptionsValidator(
    DispatcherRegistry dispatchers,
    ProtocolRegistry protocols,
    TransportConfigurationKeys keys) : IValidateOptions<TransportOptions>
{
    private const string UrlShape = "expected http://host:port or https://host:port";

    public ValidateOptionsResult Validate(string? name, TransportOptions options)
    {
        var failures = new List<string>();
        if (options.Endpoints is null || options.Endpoints.Count == 0)
        {
            failures.Add($"{keys.Endpoints}: no endpoints are configured (for example {keys.Endpoint("h2c")}:Url=http://127.0.0.1:8080)");
        }
        else
        {
            foreach (var (endpointName, endpoint) in options.Endpoints)
            {
                ValidateEndpoint(keys.Endpoint(endpointName), endpoint, failures);
            }
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

    private void ValidateEndpoint(string key, EndpointOptions? endpoint, List<string> failures)
    {
        if (endpoint is null)
        {
            failures.Add($"{key}: the endpoint has no settings (it needs at least a Url)");
            return;
        }

        EndpointUrl? url = null;
        if (string.IsNullOrWhiteSpace(endpoint.Url))
        {
            failures.Add($"{key}:Url: no URL is configured ({UrlShape})");
        }
        else if (!EndpointUrl.TryParse(endpoint.Url, out url))
        {
            failures.Add($"{key}:Url: '{endpoint.Url}' is not a valid URL ({UrlShape})");
        }

        if (!dispatchers.Contains(endpoint.Dispatcher))
        {
            failures.Add($"{key}:Dispatcher: unknown dispatcher '{endpoint.Dispatcher}' (known: {string.Join(", ", dispatchers.Names)})");
        }
        else if (url is { IsHttps: true } && !dispatchers.SupportsTls(endpoint.Dispatcher))
        {
            failures.Add($"{key}:Dispatcher: the {endpoint.Dispatcher} dispatcher does not serve https endpoints yet (use http://, or another dispatcher)");
        }

        if (endpoint.MaxConnections is < 1)
        {
            failures.Add($"{key}:MaxConnections: {endpoint.MaxConnections} must be at least 1");
        }

        if (endpoint.MaxClients < 1)
        {
            failures.Add($"{key}:MaxClients: {endpoint.MaxClients} must be at least 1");
        }

        if (endpoint.PollTimeout is { } poll && poll <= TimeSpan.Zero)
        {
            failures.Add($"{key}:PollTimeout: '{poll}' must be positive (leave it empty for infinite)");
        }

        if (endpoint.NoClientPollTimeout is { } idle && idle <= TimeSpan.Zero)
        {
            failures.Add($"{key}:NoClientPollTimeout: '{idle}' must be positive (leave it empty for infinite)");
        }

        if (!Echo.EchoModes.TryParse(endpoint.EchoMode, out _))
        {
            failures.Add($"{key}:EchoMode: '{endpoint.EchoMode}' is not an echo mode (Lines or Bytes)");
        }

        if (!Tls.Engines.TlsEngines.IsKnown(endpoint.TlsEngine))
        {
            failures.Add($"{key}:TlsEngine: unknown TLS engine '{endpoint.TlsEngine}' (known: {string.Join(", ", Tls.Engines.TlsEngines.Names)})");
        }

        if (endpoint.EchoBufferSize is < 64 or > 64 * 1024 * 1024)
        {
            failures.Add($"{key}:EchoBufferSize: {endpoint.EchoBufferSize} is outside 64..67108864");
        }

        if (!protocols.TryGet(endpoint.Protocol, out _))
        {
            var known = protocols.Names.Count == 0 ? "none registered" : string.Join(", ", protocols.Names);
            failures.Add($"{key}:Protocol: unknown protocol '{endpoint.Protocol}' (known: {known})");
        }

        // Certificates matter only for https; on http they are ignored.
        if (url is { IsHttps: true } && endpoint.Certificate is { } certificate)
        {
            ValidateCertificateFiles($"{key}:Certificate", certificate, failures);
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
