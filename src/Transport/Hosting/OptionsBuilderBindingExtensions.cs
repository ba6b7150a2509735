using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Hosting;

/// <summary>Options binding whose type errors name the configuration key (see <see cref="ConfigurationTypeErrors"/>).</summary>
internal static class OptionsBuilderBindingExtensions
{
    /// <summary>
    /// Like <c>OptionsBuilder.Bind(section)</c> (reloads included), but a value of the wrong type throws
    /// <see cref="Http2LabConfigurationException"/> with the full key, e.g.
    /// <c>Http2Lab:Limits:MaxConcurrentStreams: 'abc' is not a whole number from -2147483648 to 2147483647</c>.
    /// </summary>
    public static OptionsBuilder<TOptions> BindReportingKeys<TOptions>(this OptionsBuilder<TOptions> builder, IConfiguration section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(builder.Name, section));
        return builder.Configure(options => ConfigurationTypeErrors.Bind(section, options));
    }
}
