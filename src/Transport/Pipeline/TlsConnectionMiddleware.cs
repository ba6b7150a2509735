using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// Connection middleware for https endpoints: runs the TLS handshake (TLS 1.2+, ALPN <c>h2</c> only, no client
/// certificate) over the connection's transport, then replaces <see cref="ConnectionContext.Transport"/> with
/// the decrypted duplex pipe for the rest of the pipeline. Clients that fail the handshake, time out or do not
/// negotiate <c>h2</c> are logged and closed; they never reach the protocol.
/// </summary>
public sealed partial class TlsConnectionMiddleware
{
    // Enough for any ClientHello we would want to describe in a log line.
    private const int ClientHelloCaptureLimit = 16 * 1024;
    private static readonly TimeSpan CloseNotifyTimeout = TimeSpan.FromSeconds(1);

    private readonly ConnectionDelegate _next;
    private readonly SslStreamCertificateContext _certificate;
    private readonly TimeSpan _handshakeTimeout;
    private readonly string _endpointName;
    private readonly TransportMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline, which sees the decrypted transport.</param>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="handshakeTimeout">How long a client may take to complete the handshake.</param>
    /// <param name="endpointName">The endpoint name, for metric tags.</param>
    /// <param name="metrics">The transport's instruments.</param>
    /// <param name="logger">Logs refused and failed handshakes.</param>
    public TlsConnectionMiddleware(
        ConnectionDelegate next,
        X509Certificate2 certificate,
        TimeSpan handshakeTimeout,
        string endpointName,
        TransportMetrics metrics,
        ILogger<TlsConnectionMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(endpointName);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;

        // Built once: it holds the certificate chain SslStream would otherwise rebuild per connection.
        _certificate = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        _handshakeTimeout = handshakeTimeout;
        _endpointName = endpointName;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Runs the handshake, then the rest of the pipeline over the decrypted transport.</summary>
    /// <param name="context">The connection.</param>
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var original = context.Transport;
        var remote = context.RemoteEndPoint?.ToString() ?? "unknown";
        var rawStream = new DuplexPipeStream(original.Input, original.Output);
        var ssl = new SslStream(rawStream, leaveInnerStreamOpen: false);
        try
        {
            if (!await AuthenticateAsync(context, ssl, rawStream, remote).ConfigureAwait(false))
            {
                return;
            }

            var feature = new TlsHandshakeFeature(ssl);
            context.Features.Set(feature);
            context.Features.Set<ITlsHandshakeFeature>(feature);
            context.Features.Set<ITlsApplicationProtocolFeature>(feature);

            var input = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
            var output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
            context.Transport = new DuplexPipe(input, output);
            try
            {
                await _next(context).ConfigureAwait(false);
            }
            finally
            {
                context.Transport = original;
                await input.CompleteAsync().ConfigureAwait(false);
                await CompleteOutputAsync(output, ssl).ConfigureAwait(false);
            }
        }
        finally
        {
            // Also disposes rawStream, which completes the socket's pipes.
            await ssl.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> AuthenticateAsync(ConnectionContext context, SslStream ssl, DuplexPipeStream raw, string remote)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _certificate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
        timeout.CancelAfter(_handshakeTimeout);
        raw.StartCapture(ClientHelloCaptureLimit);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.ConnectionClosed.IsCancellationRequested)
        {
            raw.StopCapture();
            _metrics.TlsHandshakeFailed(_endpointName, "timeout");
            LogHandshakeTimedOut(_logger, remote, _handshakeTimeout.TotalSeconds);
            return false;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException
                                       or ConnectionResetException or ConnectionAbortedException)
        {
            var offered = ClientHelloAlpnReader.TryRead(raw.StopCapture().Span);
            if (offered is not null && !offered.Contains("h2"))
            {
                // The TLS stack refused the client for offering no common ALPN protocol; say so plainly.
                _metrics.TlsHandshakeFailed(_endpointName, "alpn");
                LogNoH2(_logger, remote, Describe(offered));
            }
            else
            {
                _metrics.TlsHandshakeFailed(_endpointName, "handshake");
                LogHandshakeFailed(_logger, remote, ex.Message);
            }

            return false;
        }

        var hello = raw.StopCapture();
        if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            _metrics.TlsHandshakeFailed(_endpointName, "alpn");
            LogNoH2(_logger, remote, Describe(ClientHelloAlpnReader.TryRead(hello.Span)));
            return false;
        }

        return true;
    }

    private static async Task CompleteOutputAsync(PipeWriter output, SslStream ssl)
    {
        try
        {
            // Flushes what the protocol left buffered, then sends close_notify so the client sees a clean end.
            await output.CompleteAsync().ConfigureAwait(false);
            await ssl.ShutdownAsync().WaitAsync(CloseNotifyTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException
                                       or ConnectionResetException or ConnectionAbortedException
                                       or OperationCanceledException or InvalidOperationException)
        {
            // The peer is gone or not reading; the socket is closed next anyway.
        }
    }

    private static string Describe(IReadOnlyList<string>? offered) => offered switch
    {
        null => "unknown",
        [] => "none",
        _ => string.Join(", ", offered.Select(p => $"'{p}'")),
    };

    [LoggerMessage(EventId = 210, Level = LogLevel.Information,
        Message = "TLS client {RemoteEndPoint} did not negotiate ALPN 'h2' (offered {Offered}); closing")]
    private static partial void LogNoH2(ILogger logger, string remoteEndPoint, string offered);

    [LoggerMessage(EventId = 211, Level = LogLevel.Information,
        Message = "TLS handshake with {RemoteEndPoint} timed out after {Seconds} s; closing")]
    private static partial void LogHandshakeTimedOut(ILogger logger, string remoteEndPoint, double seconds);

    [LoggerMessage(EventId = 212, Level = LogLevel.Debug,
        Message = "TLS handshake with {RemoteEndPoint} failed: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string remoteEndPoint, string reason);
}
