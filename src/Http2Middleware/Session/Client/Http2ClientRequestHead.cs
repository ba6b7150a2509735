namespace Http2Lab.Http2.Session.Client;

/// <summary>What a request's HEADERS carry (RFC 9113 §8.3.1): the four pseudo-headers and the regular fields (lowercase names).</summary>
internal sealed record Http2ClientRequestHead(
    string Method,
    string Scheme,
    string Authority,
    string Path,
    IReadOnlyList<KeyValuePair<string, string>> Headers);
