using System.Net;
using System.Text;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Application.Handlers;

namespace Http2Lab.Samples.WebHost;

/// <summary>
/// The seed's demo site, for a browser as much as for curl: <c>/demo</c> links the rest — a redirect, a large page, a
/// slow page, a form whose posted body is echoed decoded, and a server-sent event stream (one event a second).
/// </summary>
public static class DemoSite
{
    /// <summary>How long <c>/demo/slow</c> takes.</summary>
    public static readonly TimeSpan SlowDelay = TimeSpan.FromSeconds(2);

    /// <summary>Time between the events of <c>/demo/event-stream</c>.</summary>
    public static readonly TimeSpan EventPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Lines in <c>/demo/long</c>.</summary>
    public const int LongPageLines = 5000;

    /// <summary>Maps the pages under <c>/demo</c>.</summary>
    public static void Map(Http2Router router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.MapGet("/demo", new TextHandler(IndexPage).HandleAsync);
        router.MapGet("/demo/", new RedirectHandler("/demo").HandleAsync);
        router.MapGet("/demo/redir", new RedirectHandler("/demo/ok", body: Page("Moved", "<p>Now at <a href=\"/demo/ok\">/demo/ok</a>.</p>")).HandleAsync);
        router.MapGet("/demo/ok", new TextHandler(Page("OK", "<p>You were redirected here from <code>/demo/redir</code>.</p>" + Back)).HandleAsync);
        router.MapGet("/demo/long", new TextHandler(LongPage()).HandleAsync);
        router.MapGet("/demo/slow", async (request, response) =>
        {
            await Task.Delay(SlowDelay, request.Aborted);
            await new TextHandler(Page("Slow", $"<p>This page took {SlowDelay.TotalSeconds:0} s.</p>" + Back)).HandleAsync(request, response);
        });
        router.MapGet("/demo/body", new TextHandler(BodyForm).HandleAsync);
        router.MapPost("/demo/body", async (request, response) =>
        {
            // Decoded: gzip content-encoding undone, the charset of content-type (UTF-8 by default) applied.
            string body = await request.ReadBodyAsTextAsync(request.Aborted);
            string type = request.GetHeader("content-type") ?? "(none)";
            await new TextHandler(Page("Body", $"<p>{Encode(request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown")} octets declared, content-type {Encode(type)}:</p><pre>{Encode(body)}</pre>" + Back))
                .HandleAsync(request, response);
        });
        router.MapGet("/demo/event-stream", EventStream.Handler(EventPeriod,
            (request, n) => $"event {n} at {DateTimeOffset.UtcNow:HH:mm:ss} UTC"));
    }

    private const string Back = "<p><a href=\"/demo\">Back to /demo</a></p>";

    private static string IndexPage(Http2Request request) => Page("Http2Lab demo", $$"""
        <p>Served over HTTP/2 ({{Encode(request.Scheme)}}) to {{Encode(request.Connection.RemoteEndPoint?.ToString() ?? "?")}}{{(request.Connection.IsTls ? $", {request.Connection.TlsProtocol}" : "")}}.</p>
        <ul>
          <li><a href="/demo/redir">/demo/redir</a>: 301 to /demo/ok</li>
          <li><a href="/demo/long">/demo/long</a>: a large page ({{LongPageLines}} lines)</li>
          <li><a href="/demo/slow">/demo/slow</a>: answers after {{SlowDelay.TotalSeconds:0}} s</li>
          <li><a href="/demo/body">/demo/body</a>: a form; the posted body comes back decoded</li>
          <li><a href="/demo/event-stream">/demo/event-stream</a>: server-sent events, one a second (below, live)</li>
        </ul>
        <pre id="events"></pre>
        <script>
          const events = document.getElementById('events');
          const source = new EventSource('/demo/event-stream');
          source.onmessage = e => { events.textContent = e.data + '\n' + events.textContent; };
        </script>
        """);

    private static string BodyForm(Http2Request request) => Page("Post a body", """
        <form method="post" action="/demo/body" enctype="text/plain">
          <textarea name="text" rows="6" cols="60">Grüße, 世界</textarea><br>
          <button type="submit">Post</button>
        </form>
        <p>Or: <code>curl --http2-prior-knowledge --data-binary 'hello' http://127.0.0.1:8080/demo/body</code></p>
        """ + Back);

    private static string LongPage()
    {
        var text = new StringBuilder();
        for (int i = 1; i <= LongPageLines; i++)
        {
            text.Append("<p>Line ").Append(i).Append(" of a long page: the quick brown fox jumps over the lazy dog.</p>\n");
        }

        return Page("Long", text.ToString() + Back);
    }

    private static string Page(string title, string body) =>
        $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{Encode(title)}</title></head>\n<body><h1>{Encode(title)}</h1>\n{body}\n</body></html>\n";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
