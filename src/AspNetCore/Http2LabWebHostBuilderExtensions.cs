using Http2Lab.Http2;
using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.AspNetCore;

/// <summary>
/// <c>builder.WebHost.UseHttp2Lab()</c>: ASP.NET Core applications served by Http2Lab instead of Kestrel.
/// </summary>
public static class Http2LabWebHostBuilderExtensions
{
    /// <summary>
    /// Replaces the web host's server (Kestrel) with Http2Lab, configured from the <c>Http2Lab</c> section (endpoints,
    /// dispatchers, certificates, limits, timeouts) and refined by <paramref name="configure"/>. With no endpoints
    /// configured, <c>urls</c> / <c>ASPNETCORE_URLS</c> / <c>app.Urls</c> are used, else <c>http://localhost:5000</c>;
    /// <c>http</c> addresses serve h2c (prior knowledge), <c>https</c> ones TLS with ALPN <c>h2</c>.
    /// </summary>
    /// <param name="builder">The web host builder.</param>
    /// <param name="configure">Adjusts the options after binding.</param>
    public static IWebHostBuilder UseHttp2Lab(this IWebHostBuilder builder, Action<Http2LabOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices((context, services) =>
        {
            services.AddHttp2Lab(context.Configuration.GetSection(TransportOptions.SectionName), configure);

            // The endpoints start with the server (once the application is known), not as a hosted service of their own.
            services.RemoveAll<EndpointHost>();
            for (int i = services.Count - 1; i >= 0; i--)
            {
                if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType == typeof(EndpointHost))
                {
                    services.RemoveAt(i);
                }
            }

            services.AddSingleton<EndpointHost>();
            services.Replace(ServiceDescriptor.Singleton<IServer, Http2LabServer>());
        });
    }

    /// <summary>
    /// The same for a <see cref="WebApplicationBuilder"/>: <c>WebApplication.CreateBuilder(args).UseHttp2Lab()</c>
    /// serves the application on Http2Lab, and no Kestrel starts beside it.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">Adjusts the options after binding.</param>
    public static WebApplicationBuilder UseHttp2Lab(this WebApplicationBuilder builder, Action<Http2LabOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.UseHttp2Lab(configure);
        return builder;
    }
}
