using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>Prepares an endpoint outside a host, for dispatchers used standalone.</summary>
public static class StandaloneEndpoint
{
    public static EndpointContext Create(string name, EndpointOptions options, ConnectionProcessorFactory processors)
    {
        var services = new ServiceCollection().AddMetrics().AddLogging().BuildServiceProvider();
        var protocols = new ProtocolRegistry([new FixedProtocol(processors)]);
        options.Protocol = FixedProtocol.ProtocolName;
        var factory = new ConnectionPipelineFactory(
            services,
            protocols,
            new Http2Lab.Transport.Tls.ServerCertificateLoader(
                NullLogger<Http2Lab.Transport.Tls.ServerCertificateLoader>.Instance, DevelopmentEnvironment.Instance),
            Options.Create(new TransportOptions { ShutdownTimeout = TimeSpan.FromSeconds(5) }),
            new TransportMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLoggerFactory.Instance);
        return factory.Create(name, options);
    }

    private sealed class FixedProtocol(ConnectionProcessorFactory processors) : IConnectionProtocol
    {
        public const string ProtocolName = "Fixed";

        public string Name => ProtocolName;

        public IReadOnlyList<System.Net.Security.SslApplicationProtocol> ApplicationProtocols => [];

        public ConnectionProcessorFactory CreateFactory(string endpointName, EndpointOptions endpoint, string endpointKey) => processors;
    }
}
