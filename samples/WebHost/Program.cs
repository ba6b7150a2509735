using Http2Lab.Http2;
using Http2Lab.Samples.WebHost;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Hosting;

// Endpoints, dispatchers, certificates and limits come from appsettings.json (section Http2Lab)
// and can be overridden on the command line, e.g. --Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0
// appsettings.json is read from beside the executable, whatever the current directory.
// An application without Http2Lab:Endpoints listens on --urls / ASPNETCORE_URLS instead (default http://localhost:5000).
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
    EnvironmentName = DefaultEnvironment(args),
});
builder.UseHttp2Lab();
builder.Services.AddHttp2Routes(DemoRoutes.Map);
builder.Services.AddHttp2Routes(DemoSite.Map);

using IHost host = builder.Build();
return await Http2LabHostRunner.RunAsync(host);

// A lab server runs as Development unless told otherwise, so that its https endpoint serves the self-signed development
// certificate out of the box (it is refused in any other environment). An environment named the usual ways wins:
// DOTNET_ENVIRONMENT or --environment (which the host reads itself: null here), or ASPNETCORE_ENVIRONMENT.
static string? DefaultEnvironment(string[] args)
{
    static bool NamesEnvironment(string arg) =>
        arg.TrimStart('-', '/').Split('=', 2)[0].Equals(HostDefaults.EnvironmentKey, StringComparison.OrdinalIgnoreCase);

    if (Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") is { Length: > 0 } || args.Any(NamesEnvironment))
    {
        return null;
    }

    return Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") is { Length: > 0 } aspNetCore ? aspNetCore : Environments.Development;
}
