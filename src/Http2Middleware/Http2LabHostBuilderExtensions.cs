using Http2Lab.Http2.Application;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Http2Lab.Http2;

/// <summary><c>builder.UseHttp2Lab()</c>: the Http2Lab server as a generic-host transport plugin.</summary>
public static class Http2LabHostBuilderExtensions
{
    /// <summary>
    /// Adds the Http2Lab server, configured from the <c>Http2Lab</c> section (endpoints, dispatchers,
    /// certificates, limits, timeouts) and refined by <paramref name="configure"/>. On a <c>WebApplicationBuilder</c>
    /// this runs Http2Lab beside Kestrel (a warning at start says so); <c>Http2Lab.AspNetCore</c>'s
    /// <c>UseHttp2Lab</c> replaces Kestrel instead.
    /// </summary>
    public static IHostApplicationBuilder UseHttp2Lab(this IHostApplicationBuilder builder, Action<Http2LabOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttp2Lab(builder.Configuration.GetSection(TransportOptions.SectionName), configure);
        if (builder is Microsoft.AspNetCore.Builder.WebApplicationBuilder)
        {
            builder.Services.AddHostedService<BesideKestrelWarning>();
        }

        return builder;
    }

    /// <summary>The same for an <see cref="IHostBuilder"/>.</summary>
    public static IHostBuilder UseHttp2Lab(this IHostBuilder builder, Action<Http2LabOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices((context, services) =>
            services.AddHttp2Lab(context.Configuration.GetSection(TransportOptions.SectionName), configure));
    }

    /// <summary>Registers the server's services from a configuration section.</summary>
    public static IServiceCollection AddHttp2Lab(this IServiceCollection services, IConfigurationSection section, Action<Http2LabOptions>? configure = null)
    {
        // The action sees both option objects; each registration keeps the half it configures.
        services.AddHttp2LabTransport(section, configure is null ? null : t => configure(new Http2LabOptions(t, new Http2Limits())));
        OptionsBuilder<Http2Limits> limits = services.AddOptions<Http2Limits>().BindReportingKeys(section.GetSection("Limits"));
        if (configure is not null)
        {
            limits.Configure(l => configure(new Http2LabOptions(new TransportOptions(), l)));
        }

        limits.ValidateOnStart();
        OptionsBuilder<Http2ApplicationOptions> application = services.AddOptions<Http2ApplicationOptions>()
            .BindReportingKeys(section.GetSection(Http2ApplicationOptions.SectionName));
        if (configure is not null)
        {
            application.Configure(a => configure(new Http2LabOptions(new TransportOptions(), new Http2Limits(), a)));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Http2Limits>>(new Http2LimitsValidator(section.Path + ":Limits")));
        services.TryAddSingleton(sp =>
        {
            // An endpoint is a singleton (the router holds it): one that takes a scoped service would keep the first
            // instance for good. That is a start-up error, not a silent singleton; RequestServices is the way.
            EndpointScopeCheck.ThrowIfEndpointNeedsScope(services);
            var router = new Http2Router(sp.GetServices<IHttp2Endpoint>());
            foreach (Http2RouteConfiguration routes in sp.GetServices<Http2RouteConfiguration>())
            {
                routes.Configure(router, sp);
            }

            return router;
        });
        services.TryAddSingleton<Http2Metrics>();
        services.TryAddSingleton<Http2ApplicationHandler>();
        services.AddHttp2LabProtocol<Http2Protocol>();
        services.AddHttp2LabProtocol<Static.Http2StaticProtocol>();
        return services;
    }

    /// <summary>Adds routes to the server's <see cref="Http2Router"/>.</summary>
    public static IServiceCollection AddHttp2Routes(this IServiceCollection services, Action<Http2Router> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddHttp2Routes((router, _) => configure(router));
    }

    /// <summary>
    /// Adds routes to the server's <see cref="Http2Router"/>, with the application's services at hand (for singletons
    /// the handlers use; a scoped service belongs to a request: <see cref="Http2Request.RequestServices"/>).
    /// </summary>
    public static IServiceCollection AddHttp2Routes(this IServiceCollection services, Action<Http2Router, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddSingleton(new Http2RouteConfiguration(configure));
        return services;
    }
}
