using System.Net;
using Http2Lab.AspNetCore;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// The same minimal-API application on either server, for bench/run.sh --aspnetcore: GET / -> "Hello World\n" through
// routing and a minimal-API delegate, and GET /json -> a small JSON object.
// --server native: the same two routes and the allocation endpoints through Http2Lab's own router (no ASP.NET Core
// pipeline), for the per-request cost of the native API beside the other two.
// Usage: MinimalApi --server http2lab|kestrel|native [--h2c PORT] [--h2 PORT] --cert CERT.pem --key KEY.pem [--dispatcher NAME]
//   [--alloc-sample]: GET /allocated-types[?reset=true] lists the types allocated, sampled every ~100 KB
string server = StringArg(args, "--server") ?? "http2lab";
int h2cPort = int.Parse(StringArg(args, "--h2c") ?? "5080", System.Globalization.CultureInfo.InvariantCulture);
int h2Port = int.Parse(StringArg(args, "--h2") ?? "5443", System.Globalization.CultureInfo.InvariantCulture);
string? certPath = StringArg(args, "--cert");
string? keyPath = StringArg(args, "--key");
string dispatcher = StringArg(args, "--dispatcher") ?? "Async";
if (certPath is null || keyPath is null)
{
    Console.Error.WriteLine("--cert and --key are required (PEM files)");
    return 2;
}

MinimalApi.AllocationSampler? sampler = args.Contains("--alloc-sample") ? new() : null;
Dictionary<string, string?> http2Lab = new()
{
    ["Http2Lab:Endpoints:h2c:Url"] = $"http://127.0.0.1:{h2cPort}",
    ["Http2Lab:Endpoints:h2c:Dispatcher"] = dispatcher,
    ["Http2Lab:Endpoints:h2:Url"] = $"https://127.0.0.1:{h2Port}",
    ["Http2Lab:Endpoints:h2:Dispatcher"] = dispatcher,
    ["Http2Lab:Endpoints:h2:Certificate:Path"] = certPath,
    ["Http2Lab:Endpoints:h2:Certificate:KeyPath"] = keyPath,
    ["Http2Lab:Endpoints:h2:MaxClients"] = "128",
    ["Http2Lab:Endpoints:h2c:MaxClients"] = "128",
};
if (server == "native")
{
    return await MinimalApi.NativeApp.RunAsync(http2Lab, sampler, h2cPort, h2Port);
}

WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
switch (server)
{
    case "http2lab":
        builder.Configuration.AddInMemoryCollection(http2Lab);
        builder.UseHttp2Lab();
        break;
    case "kestrel":
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, h2cPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, h2Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certPath, keyPath));
            });
        });
        break;
    default:
        Console.Error.WriteLine($"--server must be http2lab, kestrel or native, not '{server}'");
        return 2;
}

WebApplication app = builder.Build();
app.MapGet("/", () => "Hello World\n");
app.MapGet("/json", () => new { message = "Hello World", time = DateTimeOffset.UtcNow });
// Managed bytes the whole process has allocated so far: read before and after N requests for bytes per request.
app.MapGet("/allocated-types", (bool? reset) => sampler?.Report(reset ?? false) ?? "start with --alloc-sample\n");
app.MapGet("/allocated", () => GC.GetTotalAllocatedBytes(precise: true).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"MinimalApi on {server} listening: h2c={h2cPort} h2={h2Port}"));
await app.RunAsync();
return 0;

static string? StringArg(string[] args, string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
