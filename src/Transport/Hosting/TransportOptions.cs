namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Transport settings, bound from the configuration section <see cref="SectionName"/>.
/// </summary>
public sealed class TransportOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Http2Lab";

    /// <summary>
    /// The endpoints to listen on, by name (names are case-insensitive, like configuration keys). When none are
    /// configured, those of <c>urls</c> / <c>ASPNETCORE_URLS</c> are added, named by their URL, or else
    /// <c>http://localhost:5000</c>.
    /// </summary>
    public Dictionary<string, EndpointOptions> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a TLS client may take to complete its handshake before the connection is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// On host stop, how long connections that were asked to close may take to finish in-flight work
    /// before they are aborted.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Transport limits (<c>Http2Lab:Limits</c>): connections per endpoint.</summary>
    public TransportLimits Limits { get; set; } = new();
}
