using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// What routing sets on every request (the endpoint, the route values), held here as Kestrel does so that routing
/// need not allocate feature objects per request.
/// </summary>
internal abstract partial class StreamFeatures : IEndpointFeature, IRouteValuesFeature
{
    private RouteValueDictionary? _routeValues;

    public Endpoint? Endpoint { get; set; }

    public RouteValueDictionary RouteValues
    {
        get => _routeValues ??= [];
        set => _routeValues = value;
    }

    private void ResetRouting()
    {
        Endpoint = null;
        _routeValues?.Clear(); // kept: the next request's values go into the same dictionary
    }
}
