namespace Http2Lab.Http2;

/// <summary>How the <c>Http2</c> protocol answers requests (<c>Http2Lab:Application</c>).</summary>
public sealed class Http2ApplicationOptions
{
    /// <summary>The configuration section, under <c>Http2Lab</c>.</summary>
    public const string SectionName = "Application";

    /// <summary>
    /// Whether a response gets a <c>date</c> field (RFC 9110 §6.6.1) when the handler sets none. The value is
    /// formatted once per second and shared, so it costs nothing per request but the field itself.
    /// </summary>
    public bool AddDateHeader { get; set; } = true;
}
