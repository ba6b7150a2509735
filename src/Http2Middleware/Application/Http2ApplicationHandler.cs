namespace Http2Lab.Http2.Application;

/// <summary>
/// What answers the <c>Http2</c> protocol's requests when something other than the <see cref="Http2Router"/> does:
/// the ASP.NET Core server (<c>Http2Lab.AspNetCore</c>) sets <see cref="Handler"/> before the endpoints start.
/// </summary>
internal sealed class Http2ApplicationHandler
{
    /// <summary>The handler every request goes to; null: the router.</summary>
    public Http2RequestHandler? Handler { get; set; }
}
