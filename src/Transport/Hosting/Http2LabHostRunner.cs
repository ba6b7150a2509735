using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Runs a host and turns configuration errors into a clean exit: the message lines on standard error and
/// exit code 1, instead of an unhandled-exception stack trace. Use as
/// <c>return await Http2LabHostRunner.RunAsync(host);</c>.
/// </summary>
/// <remarks>
/// Options binding (values of the wrong type), validation and certificate loading run before the host starts, so
/// those errors are not also logged by the host. A port already in use can only be found by binding, inside the host's start: the host then also logs
/// its own "Hosting failed to start" error (with a stack trace) through the configured loggers.
/// </remarks>
public static class Http2LabHostRunner
{
    /// <summary>The exit code for a configuration error.</summary>
    public const int ConfigurationErrorExitCode = 1;

    /// <summary>Runs <paramref name="host"/> until it shuts down, then disposes it.</summary>
    /// <param name="host">The built host.</param>
    /// <param name="error">Where configuration errors are written; standard error when null.</param>
    /// <param name="cancellationToken">Stops the host when cancelled.</param>
    /// <returns>0 after a normal shutdown; <see cref="ConfigurationErrorExitCode"/> when the configuration is invalid.</returns>
    public static async Task<int> RunAsync(IHost host, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            try
            {
                Preflight(host.Services);
            }
            catch
            {
                // host.RunAsync would have disposed the host; keep that contract when we fail before it.
                await DisposeAsync(host).ConfigureAwait(false);
                throw;
            }

            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (DescribeConfigurationError(ex) is { } lines)
        {
            error ??= Console.Error;
            foreach (var line in lines)
            {
                await error.WriteLineAsync(line).ConfigureAwait(false);
            }

            await error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return ConfigurationErrorExitCode;
        }
    }

    /// <summary>
    /// Finds what can be found without binding (options validation, certificates) before the host starts, so those
    /// errors reach the user as one clean line instead of also as the host's "Hosting failed to start" error log.
    /// Only a bind failure (port in use) is still discovered inside the host's start.
    /// </summary>
    private static void Preflight(IServiceProvider services)
    {
        services.GetService<IStartupValidator>()?.Validate();
        foreach (var endpoints in services.GetServices<IHostedService>().OfType<EndpointHost>())
        {
            endpoints.Prepare();
        }

        // Under ASP.NET Core (Http2Lab.AspNetCore) the endpoints start with the IServer, not as a hosted service.
        services.GetService<EndpointHost>()?.Prepare();
    }

    private static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }

    /// <summary>
    /// The message lines of a configuration error (<see cref="OptionsValidationException"/>,
    /// <see cref="Http2LabConfigurationException"/>, or an <see cref="AggregateException"/> of only those);
    /// null for any other exception.
    /// </summary>
    /// <param name="exception">The exception the host threw.</param>
    public static IReadOnlyList<string>? DescribeConfigurationError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        var errors = exception is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [exception];
        foreach (var error in errors)
        {
            switch (error)
            {
                case OptionsValidationException validation:
                    lines.AddRange(validation.Failures);
                    break;
                case Http2LabConfigurationException configuration:
                    lines.Add(configuration.Message);
                    break;
                default:
                    return null;
            }
        }

        return lines.Count == 0 ? null : lines.Distinct().ToList();
    }
}
