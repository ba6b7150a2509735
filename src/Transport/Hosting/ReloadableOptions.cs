using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Options that follow configuration reloads (appsettings.json with <c>reloadOnChange</c>, as Kestrel does): on each
/// reload they are bound and validated afresh, and only a valid result replaces <see cref="Current"/>. A reload with
/// a mistake is logged, one error line per problem naming its key, and changes nothing — a running server never
/// stops over a typo, and never runs with half a configuration.
/// </summary>
/// <remarks>
/// Not <see cref="IOptionsMonitor{TOptions}"/>: its change callbacks re-validate inside the configuration's reload
/// notification, where a validation exception has no one to catch it.
/// </remarks>
/// <typeparam name="T">The options type.</typeparam>
internal sealed class ReloadableOptions<T> : IDisposable
    where T : class
{
    private readonly IOptions<T> _initial;
    private readonly IOptionsFactory<T> _factory;
    private readonly ILogger _logger;
    private readonly IDisposable? _subscription;
    private T? _current;

    /// <summary>Creates the options; without an <see cref="IConfiguration"/> in DI they never reload.</summary>
    public ReloadableOptions(IOptions<T> initial, IOptionsFactory<T> factory, ILoggerFactory loggers, IConfiguration? configuration = null)
    {
        _initial = initial;
        _factory = factory;
        _logger = loggers.CreateLogger("Http2Lab.Transport.Hosting.ConfigurationReload");
        if (configuration is not null)
        {
            _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
        }
    }

    /// <summary>Raised after <see cref="Current"/> was replaced by a reload (on the reload's thread).</summary>
    public event Action<T>? Changed;

    /// <summary>The options now: those validated at start until a valid reload replaces them.</summary>
    public T Current => Volatile.Read(ref _current) ?? _initial.Value;

    /// <summary>Binds and validates the options from the configuration as it is now; replaces <see cref="Current"/> when valid.</summary>
    public void Reload()
    {
        T fresh;
        try
        {
            fresh = _factory.Create(Options.DefaultName);
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the reload must not escape into the configuration's notification.
            foreach (var line in Http2LabHostRunner.DescribeConfigurationError(ex) ?? [ex.Message])
            {
                ReloadLog.Rejected(_logger, typeof(T).Name, line);
            }

            return;
        }

        Volatile.Write(ref _current, fresh);
        ReloadLog.Applied(_logger, typeof(T).Name);
        try
        {
            Changed?.Invoke(fresh);
        }
        catch (Exception ex)
        {
            ReloadLog.ListenerFailed(_logger, typeof(T).Name, ex);
        }
    }

    /// <summary>Stops following reloads.</summary>
    public void Dispose() => _subscription?.Dispose();
}
