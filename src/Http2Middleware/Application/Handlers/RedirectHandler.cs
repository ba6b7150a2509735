using System.Text;

namespace Http2Lab.Http2.Application.Handlers;

/// <summary>
/// Redirects every request to one place: 301 (Moved Permanently) by default, with <c>location</c> (RFC 9110 §10.2.2)
/// and an optional short HTML body for clients that show it.
/// </summary>
public sealed class RedirectHandler
{
    private readonly byte[]? _body;

    /// <summary>Prepares the redirect.</summary>
    /// <param name="location">Where to: an absolute URI or a reference relative to the request (e.g. <c>/demo/ok</c>).</param>
    /// <param name="statusCode">A 3xx status: 301 by default; 302, 303, 307 or 308 as the case needs.</param>
    /// <param name="body">An HTML body, or null for none.</param>
    public RedirectHandler(string location, int statusCode = 301, string? body = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        if (statusCode is < 300 or > 399)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A redirect has a 3xx status.");
        }

        Location = HeaderRules.Validate("location", location).Value;
        StatusCode = statusCode;
        _body = body is null ? null : Encoding.UTF8.GetBytes(body);
    }

    /// <summary>The target sent in <c>location</c>.</summary>
    public string Location { get; }

    /// <summary>The status, 301 by default.</summary>
    public int StatusCode { get; }

    /// <summary>Sends the redirect.</summary>
    public async Task HandleAsync(Http2Request request, Http2Response response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = StatusCode;
        response.SetHeader("location", Location);
        if (_body is not null)
        {
            response.SetHeader("content-type", TextHandler.HtmlUtf8);
            await response.WriteAsync(_body, request.Aborted);
        }
    }
}
