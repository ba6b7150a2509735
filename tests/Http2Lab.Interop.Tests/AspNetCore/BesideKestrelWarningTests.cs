using Http2Lab.Interop.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>
/// With only <c>using Http2Lab.Http2;</c>, <c>WebApplication.CreateBuilder().UseHttp2Lab()</c> binds the generic-host
/// extension and Http2Lab runs beside Kestrel: the start says so and names the package that replaces Kestrel.
/// </summary>
public sealed class BesideKestrelWarningTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_generic_extension_on_a_web_application_warns_that_Kestrel_still_serves_the_application()
    {
        TestLog log = await StartAndStopAsync(builder => Http2Lab.Http2.Http2LabHostBuilderExtensions.UseHttp2Lab(builder));

        string warning = Assert.Single(log.Lines, line => line.Contains("runs beside Kestrel", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", warning);
        Assert.Contains("using Http2Lab.AspNetCore;", warning);
    }

    [Fact]
    public async Task The_AspNetCore_extension_replaces_Kestrel_without_a_warning()
    {
        TestLog log = await StartAndStopAsync(builder => Http2Lab.AspNetCore.Http2LabWebHostBuilderExtensions.UseHttp2Lab(builder));

        Assert.DoesNotContain(log.Lines, line => line.Contains("beside Kestrel", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, line => line.Contains("Kestrel", StringComparison.Ordinal) && line.StartsWith("Warning", StringComparison.Ordinal));
    }

    private static async Task<TestLog> StartAndStopAsync(Action<WebApplicationBuilder> useHttp2Lab)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            Args = [],
            ContentRootPath = AspNetCoreServer.ContentRoot,
        });
        var log = new TestLog();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
        });
        useHttp2Lab(builder);
        await using WebApplication app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0"); // Kestrel's, when it is the server
        app.MapGet("/", () => "app");

        await app.StartAsync().WaitAsync(Bound);
        await app.StopAsync().WaitAsync(Bound);
        return log;
    }
}
