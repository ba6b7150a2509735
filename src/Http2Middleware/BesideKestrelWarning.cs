using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2;

/// <summary>
/// <c>WebApplication.CreateBuilder().UseHttp2Lab()</c> with only <c>using Http2Lab.Http2;</c> binds the generic-host
/// extension: Http2Lab then runs beside Kestrel with its own router, and the application's endpoints answer only on
/// Kestrel's port. Sometimes wanted, mostly a surprise, so the start says which it is and how to get the other.
/// </summary>
internal sealed partial class BesideKestrelWarning(IServiceProvider services, ILogger<BesideKestrelWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService(typeof(IServer)) is { } server
            && server.GetType().Namespace?.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) == true)
        {
            ServesBesideKestrel(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(24, LogLevel.Warning, "Http2Lab runs beside Kestrel: UseHttp2Lab() from Http2Lab.Http2 on a WebApplicationBuilder adds Http2Lab's own endpoints and router, and the application's endpoints are served by Kestrel. To serve the application on Http2Lab instead of Kestrel, reference Http2Lab.AspNetCore and add 'using Http2Lab.AspNetCore;' (its UseHttp2Lab replaces Kestrel).")]
    private static partial void ServesBesideKestrel(ILogger logger);
}
