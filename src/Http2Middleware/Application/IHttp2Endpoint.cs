namespace Http2Lab.Http2.Application;

/// <summary>
/// A route registered through DI (<c>services.AddSingleton&lt;IHttp2Endpoint, MyEndpoint&gt;()</c>);
/// the <see cref="Http2Router"/> maps every registered endpoint at start-up.
/// </summary>
public interface IHttp2Endpoint
{
    /// <summary>The HTTP method served, e.g. <c>GET</c>.</summary>
    string Method { get; }

    /// <summary>The path (exact) or path prefix (when <see cref="IsPrefix"/>).</summary>
    string Path { get; }

    /// <summary>Whether <see cref="Path"/> is a prefix: <c>/bytes/</c> serves <c>/bytes/10</c>.</summary>
    bool IsPrefix { get; }

    /// <summary>Handles a request.</summary>
    Task HandleAsync(Http2Request request, Http2Response response);
}
