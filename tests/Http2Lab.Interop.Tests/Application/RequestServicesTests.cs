using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Interop.Tests.Application;

/// <summary><see cref="Http2Request.RequestServices"/>: a DI scope per request, and endpoints that would capture one refused at start.</summary>
public sealed class RequestServicesTests
{
    [Fact]
    public async Task Each_request_gets_its_own_scope_disposed_when_the_handler_finishes()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<PerRequest>();
        await using AppHost host = await AppHost.StartAsync(
            services: services => services.AddScoped<PerRequest>(),
            routes: router => router.MapGet("/scoped", async (request, response) =>
            {
                var first = request.RequestServices.GetRequiredService<PerRequest>();
                var again = request.RequestServices.GetRequiredService<PerRequest>();
                Assert.Same(first, again);
                Assert.False(first.Disposed);
                seen.Enqueue(first);
                await Task.Yield(); // the scope outlives the handler's first await
                await response.WriteAsync(first.Id.ToString());
            }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse one = await client.SendAndReadAsync("GET", "/scoped");
        RawResponse two = await client.SendAndReadAsync("GET", "/scoped");

        Assert.NotEqual(one.BodyText, two.BodyText);
        Assert.Equal(2, seen.Count);
        // Disposed when the handler finished: by the time the next request's answer is read, the first one's is.
        Assert.True(seen.First().Disposed);
    }

    [Fact]
    public async Task AddHttp2Routes_gives_the_service_provider_to_the_mapping()
    {
        await using AppHost host = await AppHost.StartAsync(services: services =>
        {
            services.AddSingleton(new Greeting("hello from DI"));
            services.AddHttp2Routes((router, provider) =>
            {
                Greeting greeting = provider.GetRequiredService<Greeting>();
                router.MapGet("/greet", (request, response) => response.WriteAsync(greeting.Text).AsTask());
            });
        });
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/greet");

        Assert.Equal("hello from DI", response.BodyText);
    }

    [Fact]
    public async Task An_endpoint_that_takes_a_scoped_service_fails_the_start_naming_both()
    {
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => AppHost.StartAsync(services: services =>
        {
            services.AddScoped<PerRequest>();
            services.AddSingleton<IHttp2Endpoint, ScopedConsumingEndpoint>();
        }));

        string message = error.ToString();
        Assert.Contains(typeof(ScopedConsumingEndpoint).FullName!, message, StringComparison.Ordinal);
        Assert.Contains(typeof(PerRequest).FullName!, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_without_scoped_dependencies_starts_and_serves()
    {
        await using AppHost host = await AppHost.StartAsync(services: services =>
        {
            services.AddSingleton(new Greeting("endpoint"));
            services.AddSingleton<IHttp2Endpoint, SingletonEndpoint>();
        });
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/endpoint");

        Assert.Equal("endpoint", response.BodyText);
    }

    public sealed class PerRequest : IDisposable
    {
        public Guid Id { get; } = Guid.NewGuid();

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    public sealed record Greeting(string Text);

    public sealed class ScopedConsumingEndpoint(PerRequest perRequest) : IHttp2Endpoint
    {
        public string Method => "GET";

        public string Path => "/scoped-endpoint";

        public bool IsPrefix => false;

        public Task HandleAsync(Http2Request request, Http2Response response) => response.WriteAsync(perRequest.Id.ToString()).AsTask();
    }

    public sealed class SingletonEndpoint(Greeting greeting) : IHttp2Endpoint
    {
        public string Method => "GET";

        public string Path => "/endpoint";

        public bool IsPrefix => false;

        public Task HandleAsync(Http2Request request, Http2Response response) => response.WriteAsync(greeting.Text).AsTask();
    }
}
