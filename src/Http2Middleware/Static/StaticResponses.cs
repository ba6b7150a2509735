using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Static;

/// <summary>The static responder's two answers: the full response, and the same headers without the body for HEAD.</summary>
internal sealed class StaticResponses
{
    /// <summary>The body the sample's <c>GET /</c> sends, so that the two are measured on the same work.</summary>
    public static readonly byte[] DefaultBody = "Hello World\n"u8.ToArray();

    public StaticResponses(ReadOnlySpan<byte> body, string contentType)
    {
        KeyValuePair<string, string>[] headers =
        [
            new("content-type", contentType),
            new("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        Full = new PrebuiltResponse(200, headers, body);
        Head = new PrebuiltResponse(200, headers, []);
    }

    public PrebuiltResponse Full { get; }

    public PrebuiltResponse Head { get; }
}
