using System.Globalization;
using Http2Lab.Http2;
using Http2Lab.Transport.Hosting;

namespace MinimalApi;

/// <summary>
/// <c>--server native</c>: GET / and the allocation endpoints on Http2Lab's own router, no ASP.NET Core pipeline — what
/// a request costs through the native API, measured the same way as the other two servers.
/// </summary>
internal static class NativeApp
{
    private static readonly byte[] Hello = "Hello World\n"u8.ToArray();

    public static async Task<int> RunAsync(Dictionary<string, string?> settings, AllocationSampler? sampler, int h2cPort, int h2Port)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseHttp2Lab();
        builder.Services.AddHttp2Routes(router =>
        {
            router.MapGet("/", async (_, response) =>
            {
                response.SetHeader("content-type", "text/plain; charset=utf-8");
                await response.WriteAsync(Hello);
            });
            router.MapGet("/allocated", async (_, response) =>
                await response.WriteAsync(GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture) + "\n"));
            router.MapGet("/allocated-types", async (request, response) =>
                await response.WriteAsync(sampler?.Report(request.QueryString.Contains("reset=true", StringComparison.Ordinal)) ?? "start with --alloc-sample\n"));
        });
        using IHost host = builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(
            () => Console.WriteLine($"MinimalApi on native listening: h2c={h2cPort} h2={h2Port}"));
        return await Http2LabHostRunner.RunAsync(host);
    }
}
