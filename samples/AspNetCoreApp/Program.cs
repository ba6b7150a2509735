using Http2Lab.AspNetCore;
using Http2Lab.Samples.AspNetCoreApp;
using Http2Lab.Transport.Hosting;

// An ordinary ASP.NET Core application; the one Http2Lab line is UseHttp2Lab(), which replaces Kestrel.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.UseHttp2Lab();
AspNetCoreSample.AddServices(builder.Services);

WebApplication app = builder.Build();
AspNetCoreSample.Map(app);

// Configuration errors end with one line naming the key and exit code 1.
return await Http2LabHostRunner.RunAsync(app);
