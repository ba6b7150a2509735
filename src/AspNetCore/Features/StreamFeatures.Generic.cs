using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.Extensions.Logging;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// The features of one request for an application whose context is <typeparamref name="TContext"/>: holding the
/// hosting layer's context (<see cref="IHostContextContainer{TContext}"/>) lets ASP.NET Core reuse its HttpContext
/// with the pooled features.
/// </summary>
internal sealed class StreamFeatures<TContext>(ILogger logger) : StreamFeatures(logger), IHostContextContainer<TContext>
    where TContext : notnull
{
    public TContext? HostContext { get; set; }
}
