using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Runs a host and turns configuration errors into a clean exit: the message lines on standard error and
/// exit code 1, instead of an unhandled-exception stack trace. Use as
/// <c>return await Http2LabHostRunner.RunAsync(host);</c>.
/// </summary>
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
