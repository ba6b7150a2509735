using Http2Lab.Transport.Tls.Engines.OpenSsl;
using Http2Lab.Transport.Tls.Engines.SslStreamEngine;

namespace Http2Lab.Transport.Tls.Engines;

/// <summary>The memory-buffer TLS engines by configuration name (<c>Http2Lab:Endpoints:&lt;name&gt;:TlsEngine</c>).</summary>
internal static class TlsEngines
{
    public static IReadOnlyList<string> Names { get; } = [OpenSslEngineFactory.EngineName, SslStreamTlsEngineFactory.EngineName];

    public static bool IsKnown(string? name) => Names.Contains(name ?? "", StringComparer.OrdinalIgnoreCase);

    /// <summary>The engine factory of one https endpoint.</summary>
    public static ITlsEngineFactory Create(string name, TlsServerSettings settings) => name.ToUpperInvariant() switch
    {
        "OPENSSL" => new OpenSslEngineFactory(settings.Certificate, settings.ApplicationProtocols, settings.Policy),
        "SSLSTREAM" => new SslStreamTlsEngineFactory(settings),
        _ => throw new ArgumentException($"Unknown TLS engine '{name}'.", nameof(name)),
    };
}
