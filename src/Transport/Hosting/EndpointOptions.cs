namespace Http2Lab.Transport.Hosting;

/// <summary>
/// One listening endpoint (configuration <c>Http2Lab:Endpoints:&lt;name&gt;</c>).
/// </summary>
public sealed class EndpointOptions
{
    /// <summary>
    /// Where to listen: <c>http://host:port</c> (cleartext, h2c) or <c>https://host:port</c> (TLS with ALPN h2).
    /// The host is an IP literal, <c>localhost</c> (127.0.0.1 and [::1]) or <c>*</c> / <c>+</c> (every address,
    /// dual-stack); port 0 binds a free port, no port means 80 (http) or 443 (https). See <see cref="EndpointUrl"/>.
    /// </summary>
    public string Url { get; set; } = "";

    /// <summary>Name of the dispatcher that accepts and schedules this endpoint's connections.</summary>
    public string Dispatcher { get; set; } = "Async";

    /// <summary>Name of the protocol that handles this endpoint's connections, e.g. <c>Http2</c> or <c>Echo</c>.</summary>
    public string Protocol { get; set; } = "Http2";

    /// <summary>The server certificate of an https endpoint; ignored for http endpoints.</summary>
    public CertificateOptions Certificate { get; set; } = new();

    /// <summary>
    /// https: the TLS versions a client may negotiate, <c>Tls12</c> and/or <c>Tls13</c> (configuration: an array,
    /// e.g. <c>["Tls13"]</c>). Empty: both.
    /// </summary>
    public string[] SslProtocols { get; set; } = [];

    /// <summary>
    /// https: whether a client certificate is asked for, as Kestrel's modes: <c>NoCertificate</c> (not asked for),
    /// <c>AllowCertificate</c> (asked for; one sent must be valid) or <c>RequireCertificate</c> (a handshake without a
    /// valid one fails).
    /// </summary>
    public string ClientCertificateMode { get; set; } = "NoCertificate";

    /// <summary>
    /// https with client certificates: a PEM file of the certificate authorities a client certificate must chain to
    /// (relative paths are resolved against the content root). Empty: the system's trusted roots.
    /// </summary>
    public string? ClientCertificateAuthorities { get; set; }

    /// <summary>
    /// https: certificates by the host name a client asks for (TLS SNI): an exact name (<c>a.example</c>), a wildcard
    /// (<c>*.example</c>: any name under example) or <c>*</c> (any name, also a client that sends none). A name that
    /// matches no entry gets <see cref="Certificate"/>.
    /// </summary>
    public Dictionary<string, SniOptions> Sni { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether accepted sockets disable Nagle's algorithm (TCP_NODELAY).</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>Overrides <c>Http2Lab:Limits:MaxConnections</c> for this endpoint.</summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Poll dispatcher: clients served at once by all its loops together (the listeners aside); one more is accepted
    /// and closed with a warning.
    /// </summary>
    public int MaxClients { get; set; } = 10;

    /// <summary>
    /// Poll dispatcher: event loops (threads) for this endpoint, each with its own listening socket on the port
    /// (SO_REUSEPORT: the kernel spreads connections); a connection stays on one loop. Empty: one per CPU.
    /// </summary>
    public int? Loops { get; set; }

    /// <summary>
    /// Poll dispatcher: with clients connected but no traffic for this long, the dispatcher shuts down gracefully
    /// (GOAWAY NO_ERROR). Empty: infinite.
    /// </summary>
    public TimeSpan? PollTimeout { get; set; }

    /// <summary>Poll dispatcher: with no client at all for this long, the dispatcher shuts down. Empty: infinite.</summary>
    public TimeSpan? NoClientPollTimeout { get; set; }

    /// <summary>Poll dispatcher: log every action the loop selects for a client, with its state (Information level).</summary>
    public bool PollTrace { get; set; }

    /// <summary>
    /// Poll dispatcher over TLS: the memory-buffer TLS engine, <c>OpenSsl</c> (the system's libssl.so.3 through P/Invoke,
    /// memory BIOs; the default, measured faster and smaller — bench/RESULTS.md) or <c>SslStream</c>.
    /// </summary>
    public string TlsEngine { get; set; } = "OpenSsl";

    /// <summary>Echo protocol: <c>Lines</c> (CRLF lines, <c>quit</c> closes) or <c>Bytes</c> (every octet back).</summary>
    public string EchoMode { get; set; } = "Lines";

    /// <summary>Echo protocol: octets held per client; when full, the client is not read until they are written.</summary>
    public int EchoBufferSize { get; set; } = 16 * 1024;

    /// <summary>
    /// For an endpoint made from <c>urls</c> or <c>ASPNETCORE_URLS</c> (no <c>Http2Lab:Endpoints</c> configured): that
    /// key, which error messages name instead of <c>Http2Lab:Endpoints:&lt;name&gt;</c>. Null for configured endpoints.
    /// Internal, so configuration binding never sets it.
    /// </summary>
    internal string? GeneratedFrom { get; init; }
}
