using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Tls;
using Http2Lab.Transport.Tls.Engines;
using Http2Lab.Transport.Tls.Engines.SslStreamEngine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Transport.Tests.TlsEngines;

/// <summary>The engine contract for SslStream driven over memory buffers.</summary>
public sealed class SslStreamEngineTests : TlsEngineContract
{
    private static readonly TransportMetrics Metrics = new(
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    private protected override ITlsEngineFactory CreateFactory(X509Certificate2 certificate, IReadOnlyList<SslApplicationProtocol> applicationProtocols) =>
        new SslStreamTlsEngineFactory(new TlsServerSettings(
            certificate, applicationProtocols, TimeSpan.FromSeconds(10), "test", Metrics, NullLogger.Instance));
}
