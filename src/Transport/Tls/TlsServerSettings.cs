using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Pipeline;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Tls;

/// <summary>
/// The TLS side of an https endpoint, shared by every dispatcher: the <see cref="TlsPolicy"/> (TLS 1.2 and/or 1.3,
/// client certificates, certificates by SNI host name), ALPN offering the protocol's ids (none required when the
/// protocol has none), the handshake timeout, and one account of why a handshake failed (log line at Debug, metric
/// with a reason).
/// </summary>
internal sealed partial class TlsServerSettings
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly SslStreamCertificateContext _certificate;
    private readonly SniMap<X509Certificate2>? _sni;
    private readonly ServerCertificateSelectionCallback? _selectCertificate;
    private readonly RemoteCertificateValidationCallback? _validateClient;
    private readonly List<SslApplicationProtocol>? _applicationProtocols;
    private readonly string _endpointName;
    private readonly TransportMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the settings of one endpoint.</summary>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="applicationProtocols">ALPN ids the protocol speaks, in preference order; empty: no ALPN.</param>
    /// <param name="handshakeTimeout">How long a client may take to complete the handshake.</param>
    /// <param name="endpointName">The endpoint name, for metric tags.</param>
    /// <param name="metrics">The transport's instruments.</param>
    /// <param name="logger">Logs failed handshakes.</param>
    /// <param name="policy">Versions, client certificates and SNI certificates; null: <see cref="TlsPolicy.Default"/>.</param>
    public TlsServerSettings(
        X509Certificate2 certificate,
        IReadOnlyList<SslApplicationProtocol> applicationProtocols,
        TimeSpan handshakeTimeout,
        string endpointName,
        TransportMetrics metrics,
        ILogger logger,
        TlsPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(applicationProtocols);

        // Built once: it holds the certificate chain SslStream would otherwise rebuild per connection.
        _certificate = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        _applicationProtocols = applicationProtocols.Count == 0 ? null : [.. applicationProtocols];
        HandshakeTimeout = handshakeTimeout;
        _endpointName = endpointName;
        _metrics = metrics;
        _logger = logger;
        Policy = policy ?? TlsPolicy.Default;
        if (Policy.SniCertificates.Count > 0)
        {
            _sni = new SniMap<X509Certificate2>(Policy.SniCertificates);
            _selectCertificate = SelectCertificate;
        }

        if (Policy.ClientCertificates != ClientCertificateRequirement.NoCertificate)
        {
            _validateClient = ValidateClientCertificate;
        }
    }

    /// <summary>The endpoint's optional TLS settings.</summary>
    public TlsPolicy Policy { get; }

    /// <summary>How long a client may take to complete the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>The most octets of a ClientHello worth keeping to explain a refusal.</summary>
    public const int ClientHelloCaptureLimit = 16 * 1024;

    /// <summary>Options for one server handshake.</summary>
    public SslServerAuthenticationOptions CreateOptions() => new()
    {
        // With an SNI map the certificate is chosen per client; without one, the prepared context saves the chain work.
        ServerCertificateContext = _sni is null ? _certificate : null,
        ServerCertificateSelectionCallback = _selectCertificate,
        EnabledSslProtocols = Policy.Protocols,
        ApplicationProtocols = _applicationProtocols,
        ClientCertificateRequired = _validateClient is not null,
        RemoteCertificateValidationCallback = _validateClient,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
    };

    /// <summary>The certificate for the host name a client asked for (SNI), or the endpoint's own.</summary>
    private X509Certificate SelectCertificate(object sender, string? hostName) =>
        _sni?.Find(hostName) ?? _certificate.TargetCertificate;

    /// <summary>
    /// Client certificates on the SslStream paths: none is fine only when allowed; one sent must chain to the
    /// configured authorities (or, with none configured, be trusted by the system) and allow client authentication.
    /// </summary>
    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return Policy.ClientCertificates == ClientCertificateRequirement.AllowCertificate;
        }

        if (Policy.Authorities is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(Policy.Authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthenticationOid));
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the client sent
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf);
    }

    /// <summary>
    /// After a completed handshake: whether the client negotiated one of the protocol's ALPN ids. A refusal is
    /// logged and counted; <paramref name="clientHello"/> (the first octets read) explains what was offered.
    /// </summary>
    public bool Accept(SslStream stream, ReadOnlySpan<byte> clientHello, string remote)
    {
        if (_applicationProtocols is null || _applicationProtocols.Contains(stream.NegotiatedApplicationProtocol))
        {
            return true;
        }

        _metrics.TlsHandshakeFailed(_endpointName, "alpn");
        LogNoProtocol(_logger, remote, Expected(), Describe(ClientHelloAlpnReader.TryRead(clientHello)));
        return false;
    }

    /// <summary>The same check for a memory-buffer engine's session (the poll loop's TLS).</summary>
    internal bool Accept(Engines.ITlsEngine engine, ReadOnlySpan<byte> clientHello, string remote)
    {
        if (_applicationProtocols is null || _applicationProtocols.Contains(engine.NegotiatedApplicationProtocol))
        {
            return true;
        }

        _metrics.TlsHandshakeFailed(_endpointName, "alpn");
        LogNoProtocol(_logger, remote, Expected(), Describe(ClientHelloAlpnReader.TryRead(clientHello)));
        return false;
    }

    /// <summary>A handshake that failed in a memory-buffer engine: logged and counted like <see cref="Failed(Exception, ReadOnlySpan{byte}, string)"/>.</summary>
    internal void Failed(string reason, ReadOnlySpan<byte> clientHello, string remote) =>
        Failed(new AuthenticationException(reason), clientHello, remote);

    /// <summary>The ALPN ids the protocol requires (empty: none).</summary>
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols => _applicationProtocols ?? [];

    /// <summary>The server certificate.</summary>
    public X509Certificate2 Certificate => _certificate.TargetCertificate;

    /// <summary>A handshake that failed (alert, reset, garbage): logged and counted.</summary>
    public void Failed(Exception error, ReadOnlySpan<byte> clientHello, string remote)
    {
        var offered = ClientHelloAlpnReader.TryRead(clientHello);
        if (_applicationProtocols is not null && offered is not null && !_applicationProtocols.Any(p => offered.Contains(p.ToString())))
        {
            // The TLS stack refused the client for offering no common ALPN protocol; say so plainly.
            _metrics.TlsHandshakeFailed(_endpointName, "alpn");
            LogNoProtocol(_logger, remote, Expected(), Describe(offered));
            return;
        }

        _metrics.TlsHandshakeFailed(_endpointName, "handshake");
        LogHandshakeFailed(_logger, remote, error.Message);
    }

    /// <summary>A handshake that did not complete within <see cref="HandshakeTimeout"/>: logged and counted.</summary>
    public void TimedOut(string remote)
    {
        _metrics.TlsHandshakeFailed(_endpointName, "timeout");
        LogHandshakeTimedOut(_logger, remote, HandshakeTimeout.TotalSeconds);
    }

    /// <summary>Whether <paramref name="error"/> is how a handshake fails because of the peer (not a bug).</summary>
    public static bool IsHandshakeFailure(Exception error) =>
        error is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException
            or System.Net.Sockets.SocketException
            or Microsoft.AspNetCore.Connections.ConnectionResetException or Microsoft.AspNetCore.Connections.ConnectionAbortedException;

    private string Expected() => string.Join(", ", _applicationProtocols?.Select(p => $"'{p}'") ?? []);

    private static string Describe(IReadOnlyList<string>? offered) => offered switch
    {
        null => "unknown",
        [] => "none",
        _ => string.Join(", ", offered.Select(p => $"'{p}'")),
    };

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug,
        Message = "TLS client {RemoteEndPoint} did not negotiate ALPN {Expected} (offered {Offered}); closing")]
    private static partial void LogNoProtocol(ILogger logger, string remoteEndPoint, string expected, string offered);

    [LoggerMessage(EventId = 211, Level = LogLevel.Debug,
        Message = "TLS handshake with {RemoteEndPoint} timed out after {Seconds} s; closing")]
    private static partial void LogHandshakeTimedOut(ILogger logger, string remoteEndPoint, double seconds);

    [LoggerMessage(EventId = 212, Level = LogLevel.Debug,
        Message = "TLS handshake with {RemoteEndPoint} failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string remoteEndPoint, string reason);
}
