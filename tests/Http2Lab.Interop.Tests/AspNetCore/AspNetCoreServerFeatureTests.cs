using System.Net;
using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Interop.Tests.Application;
using Http2Lab.Interop.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>Server features an application reaches for directly: reset codes, body size limits, addresses.</summary>
public sealed class AspNetCoreServerFeatureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static void MapProbes(WebApplication app)
    {
        app.MapGet("/reset", (HttpContext context) =>
        {
            context.Features.Get<IHttpResetFeature>()!.Reset((int)Http2ErrorCode.EnhanceYourCalm);
            return Task.CompletedTask;
        });
        app.MapPost("/small-upload", async (HttpContext context) =>
        {
            context.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = 10;
            using var reader = new StreamReader(context.Request.Body);
            try
            {
                return Results.Text($"read {(await reader.ReadToEndAsync()).Length}");
            }
            catch (BadHttpRequestException tooLarge)
            {
                return Results.StatusCode(tooLarge.StatusCode); // the sample's exception handler would make it a 500
            }
        });
        app.MapMethods("/head-and-get", ["GET", "HEAD"], () => Results.Text("a body HEAD must not carry"));
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.CleartextEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task IHttpResetFeature_resets_the_stream_with_the_applications_code(string endpoint)
    {
        var log = new TestLog();
        await using WebApplication app = await AspNetCoreServer.StartAsync([ServerEndpoint.Parse(endpoint)], log, map: MapProbes);
        Uri url = await app.Services.GetRequiredService<Http2Lab.Transport.Hosting.IBoundEndpoints>().GetUrlAsync(endpoint).WaitAsync(Bound);
        await using RawH2Client client = await RawH2Client.ConnectAsync(url);

        int stream = await client.SendRequestAsync("GET", "/reset");
        RawResponse response = await client.ReadResponseAsync(stream, Bound);

        Assert.Equal(Http2ErrorCode.EnhanceYourCalm, response.ResetCode);
        Assert.Null(response.Headers);

        // The connection lives on: the next request is answered.
        RawResponse next = await client.SendAndReadAsync("GET", "/hello/after-reset");
        Assert.Equal("Hello, after-reset!", next.BodyText);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_body_over_the_requests_limit_is_413_and_under_it_is_read()
    {
        var log = new TestLog();
        await using WebApplication app = await AspNetCoreServer.StartAsync([ServerEndpoint.Parse("Async-h2c")], log, map: MapProbes);
        Uri url = await app.Services.GetRequiredService<Http2Lab.Transport.Hosting.IBoundEndpoints>().GetUrlAsync("Async-h2c").WaitAsync(Bound);
        using var client = new Http2TestClient(url, timeout: Bound);

        using HttpResponseMessage small = await client.Client.PostAsync("/small-upload", new StringContent("0123456789"));
        using HttpResponseMessage large = await client.Client.PostAsync("/small-upload", new StringContent("0123456789A"));

        Assert.Equal("read 10", await small.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task HEAD_gets_the_headers_of_GET_without_its_body()
    {
        var log = new TestLog();
        await using WebApplication app = await AspNetCoreServer.StartAsync([ServerEndpoint.Parse("Async-h2c")], log, map: MapProbes);
        Uri url = await app.Services.GetRequiredService<Http2Lab.Transport.Hosting.IBoundEndpoints>().GetUrlAsync("Async-h2c").WaitAsync(Bound);
        await using RawH2Client client = await RawH2Client.ConnectAsync(url);

        RawResponse head = await client.SendAndReadAsync("HEAD", "/head-and-get");

        Assert.Equal(200, head.Status);
        Assert.Equal("text/plain; charset=utf-8", head.Header("content-type"));
        Assert.Empty(head.Body);
        await app.StopAsync();
    }

    [Fact]
    public async Task Without_configured_endpoints_app_Urls_decides_where_to_listen()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            Args = [],
            ContentRootPath = AspNetCoreServer.ContentRoot,
        });
        builder.Logging.ClearProviders();
        Http2Lab.AspNetCore.Http2LabWebHostBuilderExtensions.UseHttp2Lab(builder);
        await using WebApplication app = builder.Build();
        app.MapGet("/", () => "from app.Urls");
        app.Urls.Add("http://127.0.0.1:0");

        await app.StartAsync().WaitAsync(Bound);
        try
        {
            string address = Assert.Single(app.Urls);
            Assert.Matches(@"^http://127\.0\.0\.1:\d+$", address);
            Assert.DoesNotContain(":0", address[^2..]);
            using var client = new Http2TestClient(new Uri(address), timeout: Bound);
            Assert.Equal("from app.Urls", await client.Client.GetStringAsync("/"));
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
