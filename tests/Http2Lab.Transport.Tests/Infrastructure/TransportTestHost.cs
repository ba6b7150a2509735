using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>Builds in-process hosts the way an application would: generic host + configuration + AddHttp2LabTransport.</summary>
public static class TransportTestHost
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static IHost Build(
        IDictionary<string, string?> settings,
        TestLog? log = null,
        Action<IServiceCollection>? services = null,
        Action<TransportOptions>? configure = null,
        string environment = "Development")
    {
        // DisableDefaults: no appsettings file watchers or environment variables leaking into tests. Development by
        // default: https endpoints of tests serve the development certificate, which other environments refuse.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        builder.Services.AddHttp2LabTransport(builder.Configuration.GetSection("Http2Lab"), configure);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A host with one endpoint named <paramref name="name"/>.</summary>
    public static IHost BuildSingle(
        string name, string url, string protocol = "Echo", TestLog? log = null,
        Action<IServiceCollection>? services = null, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Http2Lab:Endpoints:{name}:Url"] = url,
            [$"Http2Lab:Endpoints:{name}:Protocol"] = protocol,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return Build(settings, log, services);
    }

    public static async Task<Uri> StartAsync(IHost host, string endpoint)
    {
        await host.StartAsync().WaitAsync(Timeout);
        return await host.Services.GetRequiredService<IBoundEndpoints>().GetUrlAsync(endpoint).WaitAsync(Timeout);
    }

    public static async Task StopAndDisposeAsync(IHost host)
    {
        try
        {
            using var stop = new CancellationTokenSource(Timeout);
            await host.StopAsync(stop.Token).WaitAsync(Timeout);
        }
        finally
        {
            host.Dispose();
        }
    }
}
