using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Everything a dispatcher needs to serve one configured endpoint, prepared at start-up: where to listen, the
/// protocol's processor factory, the limits, and — for dispatchers built on <see cref="IConnectionListenerFactory"/>
/// or any other source of <see cref="ConnectionContext"/>s — the whole connection as a pipe-based
/// <see cref="ConnectionDelegate"/> (logging and metrics → TLS → processor).
/// </summary>
/// <remarks>
/// A dispatcher of your own (<c>AddHttp2LabDispatcher</c>) either hands connections to <see cref="PipeApplication"/>,
/// which does TLS for https endpoints, or drives <see cref="CreateProcessor"/>'s processors itself, over plaintext
/// only (register it with <c>supportsTls: false</c>). The built-in socket dispatchers also use the transport's TLS
/// settings and connection observer, which are internal.
/// </remarks>
public sealed class EndpointContext
{
    /// <summary>Creates the context.</summary>
    internal EndpointContext(
        string name,
        string key,
        EndpointOptions options,
        ConnectionProcessorFactory createProcessor,
        TlsServerSettings? tls,
        ConnectionObserver observer,
        ConnectionDelegate pipeApplication,
        Func<TransportOptions> transport,
        ILoggerFactory loggers)
    {
        Name = name;
        Key = key;
        Options = options;
        Url = EndpointUrl.Parse(options.Url);
        UrlKey = options.GeneratedFrom ?? $"{key}:Url";
        CreateProcessor = createProcessor;
        Tls = tls;
        Observer = observer;
        PipeApplication = pipeApplication;
        _transport = transport;
        Loggers = loggers;
    }

    /// <summary>The endpoint's configuration name.</summary>
    public string Name { get; }

    /// <summary>The endpoint's configuration key, e.g. <c>Http2Lab:Endpoints:h2c</c>, for error messages.</summary>
    public string Key { get; }

    /// <summary>The endpoint's options.</summary>
    public EndpointOptions Options { get; }

    /// <summary>
    /// The URL to bind (port may be 0): the configured one, or one of the addresses it stands for
    /// (<c>localhost</c> is bound as 127.0.0.1 and [::1], each by its own dispatcher).
    /// </summary>
    public EndpointUrl Url { get; private set; }

    /// <summary>The key that error messages about the URL name: <c>Http2Lab:Endpoints:&lt;name&gt;:Url</c>, or <c>urls</c>.</summary>
    public string UrlKey { get; }

    /// <summary>Creates the protocol's processor of each connection.</summary>
    public ConnectionProcessorFactory CreateProcessor { get; }

    /// <summary>TLS settings for an https endpoint; null for http.</summary>
    internal TlsServerSettings? Tls { get; }

    /// <summary>Reports connection open/close and rejections.</summary>
    internal ConnectionObserver Observer { get; }

    /// <summary>The pipeline for pipe-based dispatchers: logging and metrics, TLS (https), then the processor.</summary>
    public ConnectionDelegate PipeApplication { get; }

    private readonly Func<TransportOptions> _transport;

    /// <summary>Shutdown timeout and limits: the current ones (a configuration reload changes them for new connections).</summary>
    public TransportOptions Transport => _transport();

    /// <summary>The host's logger factory.</summary>
    public ILoggerFactory Loggers { get; }

    /// <summary>The same endpoint (pipeline, TLS, observer shared) bound to <paramref name="url"/> instead.</summary>
    internal EndpointContext WithUrl(EndpointUrl url)
    {
        var copy = (EndpointContext)MemberwiseClone();
        copy.Url = url;
        return copy;
    }

    /// <summary>
    /// The most connections served at once by this endpoint's dispatcher (<see cref="TransportLimits.MaxConnections"/>;
    /// each socket of a <c>localhost</c> endpoint has its own).
    /// </summary>
    public int MaxConnections => Options.MaxConnections ?? Transport.Limits.MaxConnections
        ?? DescriptorLimit.ConnectionsPerEndpoint(Math.Max(1, Listeners(Transport)), TransportLimits.DefaultMaxConnections);

    /// <summary>How many sockets the endpoints listen on, among which the descriptor budget is shared.</summary>
    private static int Listeners(TransportOptions transport) =>
        transport.Endpoints.Values.Sum(e => EndpointUrl.TryParse(e?.Url, out var url) && url.IsLocalhost ? 2 : 1);
}
