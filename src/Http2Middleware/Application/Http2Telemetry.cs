using System.Diagnostics;

namespace Http2Lab.Http2.Application;

/// <summary>The <see cref="ActivitySource"/> of the native application path: one server span per routed request.</summary>
internal static class Http2Telemetry
{
    /// <summary>The name of the activity source, <c>Http2Lab</c>: listen to it for request spans.</summary>
    public const string ActivitySourceName = "Http2Lab";

    /// <summary>The name of the span every request the router serves gets (RFC-free, per OpenTelemetry: the method).</summary>
    internal const string ActivityName = "Http2Lab.Request";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
