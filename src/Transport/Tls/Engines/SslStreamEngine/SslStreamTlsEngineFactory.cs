namespace Http2Lab.Transport.Tls.Engines.SslStreamEngine;

/// <summary>Creates <see cref="SslStreamTlsEngine"/>s for one endpoint.</summary>
internal sealed class SslStreamTlsEngineFactory(TlsServerSettings settings) : ITlsEngineFactory
{
    public const string EngineName = "SslStream";

    public string Name => EngineName;

    public ITlsEngine Create() => new SslStreamTlsEngine(settings);

    public void Dispose()
    {
    }
}
