using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Pipeline;

/// <summary>Adds the transport's connection middleware to an <see cref="IConnectionBuilder"/>.</summary>
public static class Http2LabConnectionBuilderExtensions
{
    /// <summary>Adds <see cref="ConnectionLoggingMiddleware"/> (open/close logs and connection metrics).</summary>
    /// <param name="builder">The connection pipeline; its services must hold <see cref="TransportMetrics"/>.</param>
    /// <param name="endpointName">The endpoint name, for logs and metric tags.</param>
    public static IConnectionBuilder UseHttp2LabConnectionLogging(this IConnectionBuilder builder, string endpointName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.ApplicationServices;
        var metrics = services.GetRequiredService<TransportMetrics>();
        var logger = services.GetRequiredService<ILogger<ConnectionLoggingMiddleware>>();
        return builder.Use(next => new ConnectionLoggingMiddleware(next, endpointName, metrics, logger).OnConnectionAsync);
    }

    /// <summary>Adds <see cref="TlsConnectionMiddleware"/> (TLS 1.2+, ALPN h2).</summary>
    /// <param name="builder">The connection pipeline; its services must hold <see cref="TransportMetrics"/>.</param>
    /// <param name="endpointName">The endpoint name, for metric tags.</param>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="handshakeTimeout">How long a client may take to complete the handshake.</param>
    public static IConnectionBuilder UseHttp2LabTls(
        this IConnectionBuilder builder, string endpointName, X509Certificate2 certificate, TimeSpan handshakeTimeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.ApplicationServices;
        var metrics = services.GetRequiredService<TransportMetrics>();
        var logger = services.GetRequiredService<ILogger<TlsConnectionMiddleware>>();
        return builder.Use(next =>
            new TlsConnectionMiddleware(next, certificate, handshakeTimeout, endpointName, metrics, logger).OnConnectionAsync);
    }
}
