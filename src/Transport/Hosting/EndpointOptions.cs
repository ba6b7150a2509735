namespace Http2Lab.Transport.Hosting;

/// <summary>
/// One listening endpoint (configuration <c>Http2Lab:Endpoints:&lt;name&gt;</c>).
/// </summary>
public sealed class EndpointOptions
{
    /// <summary>
    /// Where to listen: <c>http://host:port</c> (cleartext, h2c) or <c>https://host:port</c> (TLS with ALPN h2).
    /// The host is an IP literal, <c>localhost</c> or <c>*</c>; port 0 binds a free port.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>Name of the dispatcher that accepts and schedules this endpoint's connections.</summary>
    public string Dispatcher { get; set; } = "Async";

    /// <summary>Name of the protocol that handles this endpoint's connections, e.g. <c>Http2</c> or <c>Echo</c>.</summary>
    public string Protocol { get; set; } = "Http2";

    /// <summary>The server certificate of an https endpoint; ignored for http endpoints.</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>Whether accepted sockets disable Nagle's algorithm (TCP_NODELAY).</summary>
    public bool NoDelay { get; set; } = true;
}
