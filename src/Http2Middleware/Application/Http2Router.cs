namespace Http2Lab.Http2.Application;

/// <summary>
/// Maps method and path to handlers: exact routes first, then the longest matching prefix, then 404.
/// A path served only for other methods answers 405 with <c>allow</c>; HEAD falls back to GET without a body.
/// </summary>
public sealed class Http2Router
{
    private readonly Dictionary<string, Dictionary<string, Http2RequestHandler>> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, Dictionary<string, Http2RequestHandler> Methods)> _prefixes = [];
    private readonly object _sync = new();

    /// <summary>Creates a router with the endpoints registered in DI.</summary>
    public Http2Router(IEnumerable<IHttp2Endpoint> endpoints)
    {
        foreach (IHttp2Endpoint endpoint in endpoints)
        {
            if (endpoint.IsPrefix)
            {
                MapPrefix(endpoint.Method, endpoint.Path, endpoint.HandleAsync);
            }
            else
            {
                Map(endpoint.Method, endpoint.Path, endpoint.HandleAsync);
            }
        }
    }

    /// <summary>Creates an empty router.</summary>
    public Http2Router()
        : this([])
    {
    }

    /// <summary>Serves <paramref name="method"/> requests for exactly <paramref name="path"/>.</summary>
    public Http2Router Map(string method, string path, Http2RequestHandler handler)
    {
        lock (_sync)
        {
            if (!_exact.TryGetValue(path, out Dictionary<string, Http2RequestHandler>? methods))
            {
                _exact[path] = methods = new Dictionary<string, Http2RequestHandler>(StringComparer.Ordinal);
            }

            methods[method] = handler;
        }

        return this;
    }

    /// <summary>Serves <paramref name="method"/> requests whose path starts with <paramref name="prefix"/>.</summary>
    public Http2Router MapPrefix(string method, string prefix, Http2RequestHandler handler)
    {
        lock (_sync)
        {
            int index = _prefixes.FindIndex(p => p.Prefix == prefix);
            if (index < 0)
            {
                _prefixes.Add((prefix, new Dictionary<string, Http2RequestHandler>(StringComparer.Ordinal)));
                _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length)); // longest first
                index = _prefixes.FindIndex(p => p.Prefix == prefix);
            }

            _prefixes[index].Methods[method] = handler;
        }

        return this;
    }

    /// <summary>Serves GET for exactly <paramref name="path"/>.</summary>
    public Http2Router MapGet(string path, Http2RequestHandler handler) => Map("GET", path, handler);

    /// <summary>Serves POST for exactly <paramref name="path"/>.</summary>
    public Http2Router MapPost(string path, Http2RequestHandler handler) => Map("POST", path, handler);

    /// <summary>
    /// Finds the handler for a request and runs it: the exact route, else the longest prefix route,
    /// that serves the method (HEAD falls back to GET). A path that matches only for other methods
    /// gets 405 with <c>allow</c>; no match at all gets 404.
    /// </summary>
    public Task HandleAsync(Http2Request request, Http2Response response)
    {
        Dictionary<string, Http2RequestHandler>? firstMatch = null;
        Http2RequestHandler? handler = null;
        lock (_sync)
        {
            if (_exact.TryGetValue(request.Path, out Dictionary<string, Http2RequestHandler>? exact))
            {
                firstMatch = exact;
                handler = Find(exact, request.Method);
            }

            for (int i = 0; handler is null && i < _prefixes.Count; i++)
            {
                (string prefix, Dictionary<string, Http2RequestHandler> methods) = _prefixes[i];
                if (request.Path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    firstMatch ??= methods;
                    handler = Find(methods, request.Method);
                }
            }
        }

        if (handler is not null)
        {
            return handler(request, response);
        }

        if (firstMatch is null)
        {
            return WriteStatusAsync(response, 404, "Not Found\n");
        }

        IEnumerable<string> allowed = firstMatch.ContainsKey("GET") ? firstMatch.Keys.Append("HEAD").Distinct() : firstMatch.Keys;
        response.SetHeader("allow", string.Join(", ", allowed.Order(StringComparer.Ordinal)));
        return WriteStatusAsync(response, 405, "Method Not Allowed\n");
    }

    // HEAD is served by the GET handler; the response drops the body.
    private static Http2RequestHandler? Find(Dictionary<string, Http2RequestHandler> methods, string method) =>
        methods.TryGetValue(method, out Http2RequestHandler? handler) ? handler
        : method == "HEAD" && methods.TryGetValue("GET", out handler) ? handler
        : null;

    private static async Task WriteStatusAsync(Http2Response response, int status, string text)
    {
        response.StatusCode = status;
        response.SetHeader("content-type", "text/plain; charset=utf-8");
        await response.WriteAsync(text);
    }
}
