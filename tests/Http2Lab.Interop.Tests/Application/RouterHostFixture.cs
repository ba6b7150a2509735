using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>One host with a routing table for every router test (routes hold no per-test state).</summary>
public sealed class RouterHostFixture : IAsyncLifetime
{
    public const int BigPageLength = 10_000;

    public AppHost Host { get; private set; } = null!;

    private static Http2RequestHandler Text(string text) => (request, response) => response.WriteAsync(text).AsTask();

    public async Task InitializeAsync() => Host = await AppHost.StartAsync(
        routes: router => router
            // Registered shortest prefix first: order of registration must not matter.
            .MapPrefix("GET", "/files/", Text("files prefix"))
            .MapPrefix("GET", "/files/deep/", Text("deep prefix"))
            .MapGet("/files/readme", Text("exact readme"))
            .MapPost("/files/upload", Text("exact upload"))
            .MapGet("/both", Text("get both"))
            .MapPost("/both", Text("post both"))
            .Map("PUT", "/put-only", Text("put"))
            .MapGet("/page", async (request, response) =>
            {
                response.SetHeader("content-type", "text/html");
                response.SetHeader("x-handler", "get");
                await response.WriteAsync("<p>page</p>");
            })
            .MapGet("/sized", async (request, response) =>
            {
                response.SetHeader("content-length", "5");
                await response.WriteAsync("hello");
            })
            .MapGet("/big-page", async (request, response) =>
            {
                response.SetHeader("x-handler", "get");
                await response.WriteAsync(new string('x', BigPageLength));
            }),
        services: services => services
            .AddHttp2Routes(router => router.MapGet("/second-callback", Text("second callback")))
            .AddHttp2Routes(router => router.MapGet("/third-callback", Text("third callback")))
            .AddSingleton<Greeting>()
            .AddSingleton<IHttp2Endpoint, DiExactEndpoint>()
            .AddSingleton<IHttp2Endpoint, DiPrefixEndpoint>());

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>A greeting from DI, to show that an <see cref="IHttp2Endpoint"/> is itself built by the container.</summary>
    public sealed class Greeting
    {
        public string Text => "hello from a DI endpoint";
    }

    /// <summary>An exact-path route registered as a DI singleton, with a constructor dependency.</summary>
    internal sealed class DiExactEndpoint(Greeting greeting) : IHttp2Endpoint
    {
        public string Method => "GET";

        public string Path => "/di/exact";

        public bool IsPrefix => false;

        public async Task HandleAsync(Http2Request request, Http2Response response) => await response.WriteAsync(greeting.Text);
    }

    /// <summary>A prefix route registered as a DI singleton.</summary>
    internal sealed class DiPrefixEndpoint : IHttp2Endpoint
    {
        public string Method => "POST";

        public string Path => "/di/prefix/";

        public bool IsPrefix => true;

        public async Task HandleAsync(Http2Request request, Http2Response response) => await response.WriteAsync("di prefix " + request.Path);
    }
}
