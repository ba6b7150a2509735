using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Addresses the ASP.NET Core way when no <c>Http2Lab:Endpoints</c> are configured: the <c>urls</c> configuration key
/// (<c>--urls</c>, <c>DOTNET_URLS</c>, appsettings), else the <c>ASPNETCORE_URLS</c> environment variable (the generic
/// host does not read <c>ASPNETCORE_</c> variables into configuration), else <see cref="DefaultUrl"/>. Each
/// semicolon-separated URL becomes an endpoint named by the URL, on the default dispatcher and protocol.
/// </summary>
/// <remarks>
/// A post-configuration, so endpoints added in code (<c>UseHttp2Lab(o =&gt; …)</c>) count as configured, and the
/// validator sees the endpoints made here like any others.
/// </remarks>
internal sealed partial class UrlsFallback(
    TransportConfigurationKeys keys,
    ILogger<UrlsFallback> logger,
    IConfiguration? configuration = null,
    EnvironmentLookup? environment = null) : IPostConfigureOptions<TransportOptions>
{
    /// <summary>The configuration key ASP.NET Core reads addresses from.</summary>
    public const string ConfigurationKey = "urls";

    /// <summary>The environment variable read when the configuration has no <see cref="ConfigurationKey"/>.</summary>
    public const string EnvironmentVariable = "ASPNETCORE_URLS";

    /// <summary>What is bound when nothing is configured (Kestrel's default).</summary>
    public const string DefaultUrl = "http://localhost:5000";

    private readonly EnvironmentLookup _environment = environment ?? Environment.GetEnvironmentVariable;

    // The options are built more than once (IOptions for the endpoints, IOptionsMonitor for start-up validation);
    // the operator should read what was decided once.
    private int _logged;

    public void PostConfigure(string? name, TransportOptions options)
    {
        var (key, urls) = Find();
        if (options.Endpoints is { Count: > 0 })
        {
            if (urls is not null && FirstTime())
            {
                LogUrlsIgnored(logger, key, urls, keys.Endpoints);
            }

            return;
        }

        options.Endpoints ??= new(StringComparer.OrdinalIgnoreCase);
        string[] list = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var log = FirstTime();
        if (list.Length == 0)
        {
            if (log)
            {
                LogDefault(logger, keys.Endpoints, DefaultUrl);
            }

            (key, list) = (ConfigurationKey, [DefaultUrl]);
        }
        else if (log)
        {
            LogUsingUrls(logger, keys.Endpoints, key, urls!);
        }

        foreach (var url in list)
        {
            // Port 0 may be listed twice; names must stay unique.
            var endpointName = url;
            for (var n = 2; options.Endpoints.ContainsKey(endpointName); n++)
            {
                endpointName = $"{url} ({n})";
            }

            options.Endpoints[endpointName] = new EndpointOptions { Url = url, GeneratedFrom = key };
        }
    }

    private bool FirstTime() => Interlocked.Exchange(ref _logged, 1) == 0;

    private (string Key, string? Urls) Find()
    {
        if (configuration?[ConfigurationKey] is { } configured && !string.IsNullOrWhiteSpace(configured))
        {
            return (ConfigurationKey, configured);
        }

        if (_environment(EnvironmentVariable) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return (EnvironmentVariable, variable);
        }

        return (ConfigurationKey, null);
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Information,
        Message = "No endpoints are configured ({Endpoints}, urls or ASPNETCORE_URLS): binding to {Url} by default")]
    private static partial void LogDefault(ILogger logger, string endpoints, string url);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning,
        Message = "Ignoring {Key} '{Urls}': endpoints are configured under {Endpoints}, and those are used")]
    private static partial void LogUrlsIgnored(ILogger logger, string key, string urls, string endpoints);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug,
        Message = "No {Endpoints} are configured: binding {Key} '{Urls}'")]
    private static partial void LogUsingUrls(ILogger logger, string endpoints, string key, string urls);
}
