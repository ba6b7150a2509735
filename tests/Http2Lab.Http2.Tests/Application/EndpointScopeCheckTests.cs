using Http2Lab.Http2.Application;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Http2Lab.Http2.Tests.Application;

public sealed class EndpointScopeCheckTests
{
    [Fact]
    public void A_scoped_dependency_behind_a_transient_one_is_found()
    {
        var services = new ServiceCollection()
            .AddScoped<Scoped>()
            .AddTransient<IMiddle, Middle>()
            .AddSingleton<IHttp2Endpoint, IndirectEndpoint>();

        var error = Assert.Throws<InvalidOperationException>(() => EndpointScopeCheck.ThrowIfEndpointNeedsScope(services));

        Assert.Contains(typeof(IndirectEndpoint).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Scoped).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scoped_endpoint_registration_is_an_error()
    {
        var services = new ServiceCollection().AddScoped<IHttp2Endpoint, PlainEndpoint>();

        var error = Assert.Throws<InvalidOperationException>(() => EndpointScopeCheck.ThrowIfEndpointNeedsScope(services));

        Assert.Contains(typeof(PlainEndpoint).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Singleton_and_transient_dependencies_pass()
    {
        var services = new ServiceCollection()
            .AddSingleton<Scoped>() // the same type, registered as a singleton this time
            .AddTransient<IMiddle, Middle>()
            .AddSingleton<IHttp2Endpoint, IndirectEndpoint>()
            .AddSingleton<IHttp2Endpoint, PlainEndpoint>();

        EndpointScopeCheck.ThrowIfEndpointNeedsScope(services);
    }

    public sealed class Scoped;

    public interface IMiddle;

    public sealed class Middle(Scoped scoped) : IMiddle
    {
        public Scoped Scoped { get; } = scoped;
    }

    public sealed class IndirectEndpoint(IMiddle middle) : IHttp2Endpoint
    {
        public IMiddle Middle { get; } = middle;

        public string Method => "GET";

        public string Path => "/indirect";

        public bool IsPrefix => false;

        public Task HandleAsync(Http2Request request, Http2Response response) => Task.CompletedTask;
    }

    public sealed class PlainEndpoint : IHttp2Endpoint
    {
        public string Method => "GET";

        public string Path => "/plain";

        public bool IsPrefix => false;

        public Task HandleAsync(Http2Request request, Http2Response response) => Task.CompletedTask;
    }
}
