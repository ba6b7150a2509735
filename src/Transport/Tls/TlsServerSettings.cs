using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Pipeline;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Tls;

/// <summary>
/// The TLS side of an https endpoint, shared by every dispatcher: TLS 1.2+, no client certificate, ALPN
/// offering the protocol's ids (none required when the protocol has none), the handshake timeout, and one
/// account of why a handshake failed (log line at Debug, metric with a reason).
/// </summary>
internal sealed partial class TlsServerSettings
{
    private readonly SslStreamCertificateContext _certificate;
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
    public TlsServerSettings(
        X509Certificate2 certificate,
        IReadOnlyList<SslApplicationProtocol> applicationProtocols,
        TimeSpan handshakeTimeout,
        string endpointName,
        TransportMetrics metrics,
        ILogger logger)
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
    }

    /// <summary>How long a client may take to complete the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; }

    /// <summary>The most octets of a ClientHello worth keeping to explain a refusal.</summary>
    public const int ClientHelloCaptureLimit = 16 * 1024;

    /// <summary>Options for one server handshake.</summary>
    public SslServerAuthenticationOptions CreateOptions() => new()
    {
        ServerCertificateContext = _certificate,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = _applicationProtocols,
        ClientCertificateRequired = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
    };

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
