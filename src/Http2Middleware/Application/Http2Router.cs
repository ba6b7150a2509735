namespace Http2Lab.Http2.Application;

/// <summary>
/// Maps method and path to handlers: exact routes first, then the longest matching prefix, then the fallback
/// (<see cref="MapFallback"/>), else 404. A path served only for other methods answers 405 with <c>allow</c>; HEAD
/// falls back to GET without a body. Routes are matched on <see cref="Http2Request.Path"/>, already decoded and free
/// of dot segments. Mapping a method and path twice is an error at start-up.
/// </summary>
public sealed class Http2Router
{
    private readonly Dictionary<string, Dictionary<string, Route>> _exact = new(StringComparer.Ordinal);
    private readonly List<(string Prefix, Dictionary<string, Route> Methods)> _prefixes = [];
    private readonly object _sync = new();
    private Route? _fallback;

    /// <summary>Creates a router with the endpoints registered in DI.</summary>
    public Http2Router(IEnumerable<IHttp2Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (IHttp2Endpoint endpoint in endpoints)
        {
            var route = new Route(endpoint.HandleAsync, endpoint.GetType().FullName ?? endpoint.GetType().Name);
            if (endpoint.IsPrefix)
            {
                Add(endpoint.Method, endpoint.Path, route, prefix: true);
            }
            else
            {
                Add(endpoint.Method, endpoint.Path, route, prefix: false);
            }
        }
    }

    /// <summary>Creates an empty router.</summary>
    public Http2Router()
        : this([])
    {
    }

    /// <summary>Serves <paramref name="method"/> requests for exactly <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">The method and path are mapped already.</exception>
    public Http2Router Map(string method, string path, Http2RequestHandler handler)
    {
        Add(method, path, new Route(handler, Describe(handler)), prefix: false);
        return this;
    }

    /// <summary>Serves requests with any of <paramref name="methods"/> for exactly <paramref name="path"/>.</summary>
    /// <exception cref="InvalidOperationException">One of the methods is mapped for the path already.</exception>
    public Http2Router MapMethods(IEnumerable<string> methods, string path, Http2RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(methods);
        foreach (string method in methods)
        {
            Map(method, path, handler);
        }

        return this;
    }

    /// <summary>Serves <paramref name="method"/> requests whose path starts with <paramref name="prefix"/>.</summary>
    /// <exception cref="InvalidOperationException">The method and prefix are mapped already.</exception>
    public Http2Router MapPrefix(string method, string prefix, Http2RequestHandler handler)
    {
        Add(method, prefix, new Route(handler, Describe(handler)), prefix: true);
        return this;
    }

    /// <summary>Serves GET for exactly <paramref name="path"/>.</summary>
    public Http2Router MapGet(string path, Http2RequestHandler handler) => Map("GET", path, handler);

    /// <summary>Serves POST for exactly <paramref name="path"/>.</summary>
    public Http2Router MapPost(string path, Http2RequestHandler handler) => Map("POST", path, handler);

    /// <summary>Serves PUT for exactly <paramref name="path"/>.</summary>
    public Http2Router MapPut(string path, Http2RequestHandler handler) => Map("PUT", path, handler);

    /// <summary>Serves DELETE for exactly <paramref name="path"/>.</summary>
    public Http2Router MapDelete(string path, Http2RequestHandler handler) => Map("DELETE", path, handler);

    /// <summary>
    /// Serves every request no route's path matches, whatever its method (instead of 404). A path mapped for other
    /// methods still gets 405.
    /// </summary>
    /// <exception cref="InvalidOperationException">A fallback is mapped already.</exception>
    public Http2Router MapFallback(Http2RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var route = new Route(handler, Describe(handler));
        lock (_sync)
        {
            if (_fallback is { } existing)
            {
                throw new InvalidOperationException($"The fallback is mapped twice: by {existing.Source} and by {route.Source}.");
            }

            _fallback = route;
        }

        return this;
    }

    /// <summary>
    /// Finds the handler for a request and runs it: the exact route, else the longest prefix route,
    /// that serves the method (HEAD falls back to GET). A path that matches only for other methods
    /// gets 405 with <c>allow</c>; no match at all goes to the fallback, else gets 404.
    /// </summary>
    public Task HandleAsync(Http2Request request, Http2Response response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        Dictionary<string, Route>? firstMatch = null;
        Route? found = null;
        Route? fallback;
        lock (_sync)
        {
            if (_exact.TryGetValue(request.Path, out Dictionary<string, Route>? exact))
            {
                firstMatch = exact;
                found = Find(exact, request.Method);
            }

            for (int i = 0; found is null && i < _prefixes.Count; i++)
            {
                (string prefix, Dictionary<string, Route> methods) = _prefixes[i];
                if (request.Path.StartsWith(prefix, StringComparison.Ordinal))
                {
                    firstMatch ??= methods;
                    found = Find(methods, request.Method);
                }
            }

            fallback = _fallback;
        }

        if (found is not null)
        {
            return found.Handler(request, response);
        }

        if (firstMatch is null)
        {
            return fallback is not null ? fallback.Handler(request, response) : WriteStatusAsync(response, 404, "Not Found\n");
        }

        IEnumerable<string> allowed = firstMatch.ContainsKey("GET") ? firstMatch.Keys.Append("HEAD").Distinct() : firstMatch.Keys;
        response.SetHeader("allow", string.Join(", ", allowed.Order(StringComparer.Ordinal)));
        return WriteStatusAsync(response, 405, "Method Not Allowed\n");
    }

    private void Add(string method, string path, Route route, bool prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(route.Handler);
        lock (_sync)
        {
            Dictionary<string, Route> methods;
            if (!prefix)
            {
                if (!_exact.TryGetValue(path, out methods!))
                {
                    _exact[path] = methods = new Dictionary<string, Route>(StringComparer.Ordinal);
                }
            }
            else
            {
                int index = _prefixes.FindIndex(p => p.Prefix == path);
                if (index < 0)
                {
                    _prefixes.Add((path, new Dictionary<string, Route>(StringComparer.Ordinal)));
                    _prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length)); // longest first
                    index = _prefixes.FindIndex(p => p.Prefix == path);
                }

                methods = _prefixes[index].Methods;
            }

            if (methods.TryGetValue(method, out Route? existing))
            {
                // Silently replacing would leave one of two handlers dead code; say which two collide.
                string what = prefix ? $"Prefix route {method} {path}*" : $"Route {method} {path}";
                throw new InvalidOperationException($"{what} is mapped twice: by {existing.Source} and by {route.Source}.");
            }

            methods[method] = route;
        }
    }

    // HEAD is served by the GET handler; the response drops the body.
    private static Route? Find(Dictionary<string, Route> methods, string method) =>
        methods.TryGetValue(method, out Route? route) ? route
        : method == "HEAD" && methods.TryGetValue("GET", out route) ? route
        : null;

    private static string Describe(Http2RequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return handler.Target is IHttp2Endpoint endpoint
            ? endpoint.GetType().FullName ?? endpoint.GetType().Name
            : $"{handler.Method.DeclaringType?.FullName}.{handler.Method.Name}";
    }

    private static async Task WriteStatusAsync(Http2Response response, int status, string text)
    {
        response.StatusCode = status;
        response.SetHeader("content-type", "text/plain; charset=utf-8");
        await response.WriteAsync(text);
    }

    private sealed record Route(Http2RequestHandler Handler, string Source);
}
