using Http2Lab.Transport.Dispatchers;
using Http2Lab.Transport.Echo;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>Registers the Http2Lab transport, dispatchers and protocols in DI.</summary>
public static class Http2LabServiceCollectionExtensions
{
    /// <summary>
    /// Adds the transport: <see cref="TransportOptions"/> bound from <paramref name="configuration"/> and validated
    /// at start, Kestrel's socket transport as <see cref="IConnectionListenerFactory"/> (unless one is already
    /// registered), the dispatcher and protocol registries (with <c>Async</c> and <c>Echo</c>),
    /// <see cref="IBoundEndpoints"/>, and the hosted service that runs one dispatcher per configured endpoint.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The <c>Http2Lab</c> configuration section; its path prefixes error messages.</param>
    /// <param name="configure">Adjusts the options after binding (e.g. in tests).</param>
    public static IServiceCollection AddHttp2LabTransport(
        this IServiceCollection services, IConfiguration configuration, Action<TransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var section = configuration is IConfigurationSection { Path.Length: > 0 } named ? named.Path : TransportOptions.SectionName;
        var options = services.AddOptions<TransportOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();

        // Everything below is idempotent, so calling AddHttp2LabTransport twice only adds configuration.
        services.TryAddSingleton(new TransportConfigurationKeys(section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, TransportOptionsValidator>());

        services.AddOptions<SocketTransportOptions>();
        services.TryAddSingleton<IConnectionListenerFactory, SocketTransportFactory>();
        services.AddLogging();
        services.AddMetrics();

        services.TryAddSingleton<TransportMetrics>();
        services.TryAddSingleton<ServerCertificateLoader>();
        services.TryAddSingleton<ProtocolRegistry>();
        services.TryAddSingleton<DispatcherRegistry>();
        services.TryAddSingleton<ConnectionPipelineFactory>();
        services.TryAddSingleton<BoundEndpoints>();
        services.TryAddSingleton<IBoundEndpoints>(sp => sp.GetRequiredService<BoundEndpoints>());

        if (!services.Any(d => d.ServiceType == typeof(DispatcherRegistration)
                               && d.ImplementationInstance is DispatcherRegistration { Name: DispatcherRegistry.Async }))
        {
            services.AddHttp2LabDispatcher(DispatcherRegistry.Async, CreateAsyncDispatcher);
        }

        services.AddHttp2LabProtocol<EchoProtocol>();
        services.AddHostedService<EndpointHost>();
        return services;
    }

    /// <summary>
    /// Registers a protocol that endpoints select with <c>"Protocol": "<paramref name="name"/>"</c>. The callback
    /// adds the protocol's terminal <see cref="ConnectionDelegate"/> (e.g. with <c>builder.Run(...)</c> or
    /// <c>builder.UseConnectionHandler&lt;T&gt;()</c>) after the transport's middleware.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The protocol name (case-insensitive; a later registration replaces an earlier one).</param>
    /// <param name="configure">Called once per endpoint using the protocol, with the host's services.</param>
    public static IServiceCollection AddHttp2LabProtocol(
        this IServiceCollection services, string name, Action<IServiceProvider, IConnectionBuilder, EndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton<IConnectionProtocol>(new DelegateConnectionProtocol(name, configure));
        return services;
    }

    /// <summary>Registers a protocol implemented as an <see cref="IConnectionProtocol"/> class (resolved from DI).</summary>
    /// <typeparam name="TProtocol">The protocol type.</typeparam>
    /// <param name="services">The host's services.</param>
    public static IServiceCollection AddHttp2LabProtocol<TProtocol>(this IServiceCollection services)
        where TProtocol : class, IConnectionProtocol
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionProtocol, TProtocol>());
        return services;
    }

    /// <summary>
    /// Registers a dispatcher that endpoints select with <c>"Dispatcher": "<paramref name="name"/>"</c>
    /// (e.g. <c>SingleClient</c>, <c>ThreadPerConnection</c>, <c>Poll</c>).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The dispatcher name (case-insensitive; a later registration replaces an earlier one).</param>
    /// <param name="factory">Creates the dispatcher of one endpoint.</param>
    public static IServiceCollection AddHttp2LabDispatcher(this IServiceCollection services, string name, DispatcherFactory factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new DispatcherRegistration(name, factory));
        return services;
    }

    private static AsyncDispatcher CreateAsyncDispatcher(
        IServiceProvider services, string endpointName, EndpointOptions endpoint, ConnectionDelegate application) =>
        new(endpointName,
            endpoint,
            application,
            services.GetRequiredService<IConnectionListenerFactory>(),
            services.GetRequiredService<IOptions<TransportOptions>>(),
            services.GetRequiredService<ILogger<AsyncDispatcher>>());
}
