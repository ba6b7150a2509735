using System.Net.Security;
using Http2Lab.Transport.Dispatchers;
using Http2Lab.Transport.Dispatchers.Blocking;
using Http2Lab.Transport.Dispatchers.Poll;
using Http2Lab.Transport.Echo;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Sockets;
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
    /// Adds the transport: <see cref="TransportOptions"/> bound from <paramref name="configuration"/> (a value of the
    /// wrong type is an <see cref="Http2LabConfigurationException"/> naming its key) and validated at start — with no
    /// endpoints configured, those of <c>urls</c> / <c>ASPNETCORE_URLS</c>, else <c>http://localhost:5000</c> —, <see cref="SocketListenerFactory"/> as <see cref="IConnectionListenerFactory"/> (unless one is already
    /// registered), the dispatcher and protocol registries (with <c>Async</c>, <c>SingleClient</c>,
    /// <c>ThreadPerConnection</c>, <c>Poll</c> and <c>Echo</c>),
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
        var options = services.AddOptions<TransportOptions>().BindReportingKeys(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();

        // Everything below is idempotent, so calling AddHttp2LabTransport twice only adds configuration.
        services.TryAddSingleton(new TransportConfigurationKeys(section));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, TransportOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<TransportOptions>, UrlsFallback>());

        services.AddOptions<SocketTransportOptions>();
        services.TryAddSingleton<IConnectionListenerFactory, SocketListenerFactory>();
        services.AddLogging();
        services.AddMetrics();

        services.TryAddSingleton(typeof(ReloadableOptions<>));
        services.TryAddSingleton<TransportMetrics>();
        services.TryAddSingleton<ServerCertificateLoader>();
        services.TryAddSingleton<ProtocolRegistry>();
        services.TryAddSingleton<DispatcherRegistry>();
        services.TryAddSingleton<ConnectionPipelineFactory>();
        services.TryAddSingleton<BoundEndpoints>();
        services.TryAddSingleton<IBoundEndpoints>(sp => sp.GetRequiredService<BoundEndpoints>());

        AddBuiltInDispatcher(services, DispatcherRegistry.Async, static (sp, endpoint) => new AsyncDispatcher(endpoint,
            sp.GetRequiredService<IConnectionListenerFactory>(), sp.GetRequiredService<ILogger<AsyncDispatcher>>()));
        AddBuiltInDispatcher(services, DispatcherRegistry.SingleClient, static (sp, endpoint) =>
            new SingleClientDispatcher(endpoint, sp.GetRequiredService<ILogger<SingleClientDispatcher>>()));
        AddBuiltInDispatcher(services, DispatcherRegistry.ThreadPerConnection, static (sp, endpoint) =>
            new ThreadPerConnectionDispatcher(endpoint, sp.GetRequiredService<ILogger<ThreadPerConnectionDispatcher>>()));
        AddBuiltInDispatcher(services, DispatcherRegistry.Poll, static (sp, endpoint) =>
            new PollDispatcher(endpoint, sp.GetRequiredService<ILogger<PollDispatcher>>()));

        services.AddHttp2LabProtocol<EchoProtocol>();
        services.AddHostedService<EndpointHost>();
        return services;
    }

    /// <summary>
    /// Registers a protocol that endpoints select with <c>"Protocol": "<paramref name="name"/>"</c>: the callback
    /// returns, for one endpoint, the factory of its connections' <see cref="IConnectionProcessor"/>s.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The protocol name (case-insensitive; a later registration replaces an earlier one).</param>
    /// <param name="create">Called once per endpoint using the protocol, with the host's services.</param>
    /// <param name="applicationProtocols">ALPN ids a TLS client must negotiate; none by default.</param>
    public static IServiceCollection AddHttp2LabProtocol(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, EndpointOptions, ConnectionProcessorFactory> create,
        IReadOnlyList<SslApplicationProtocol>? applicationProtocols = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton<IConnectionProtocol>(sp => new DelegateConnectionProtocol(name, create, sp, applicationProtocols ?? []));
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
    /// Registers a dispatcher that endpoints select with <c>"Dispatcher": "<paramref name="name"/>"</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The dispatcher name (case-insensitive; a later registration replaces an earlier one).</param>
    /// <param name="factory">Creates the dispatcher of one endpoint.</param>
    /// <param name="supportsTls">Whether it can serve https endpoints.</param>
    public static IServiceCollection AddHttp2LabDispatcher(this IServiceCollection services, string name, DispatcherFactory factory, bool supportsTls = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(new DispatcherRegistration(name, factory, supportsTls));
        return services;
    }

    /// <summary>Registers a built-in dispatcher once, before any the application adds (which then win by name).</summary>
    private static void AddBuiltInDispatcher(IServiceCollection services, string name, DispatcherFactory factory, bool supportsTls = true)
    {
        if (!services.Any(d => d.ServiceType == typeof(DispatcherRegistration)
                               && d.ImplementationInstance is DispatcherRegistration registration
                               && registration.Name == name && registration.Factory.Method.DeclaringType == typeof(Http2LabServiceCollectionExtensions)))
        {
            services.Insert(0, ServiceDescriptor.Singleton(new DispatcherRegistration(name, factory, supportsTls)));
        }
    }
}
