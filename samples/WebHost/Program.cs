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
});
builder.UseHttp2Lab();
builder.Services.AddHttp2Routes(DemoRoutes.Map);
builder.Services.AddHttp2Routes(DemoSite.Map);

using IHost host = builder.Build();
return await Http2LabHostRunner.RunAsync(host);
