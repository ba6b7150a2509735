namespace Http2Lab.Http2.Application;

/// <summary>A route-mapping callback registered with <c>AddHttp2Routes</c>, applied when the router is created.</summary>
internal sealed class Http2RouteConfiguration(Action<Http2Router, IServiceProvider> configure)
{
    /// <summary>Maps the routes.</summary>
    public void Configure(Http2Router router, IServiceProvider services) => configure(router, services);
}
