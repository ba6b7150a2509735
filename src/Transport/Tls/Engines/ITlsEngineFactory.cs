namespace Http2Lab.Transport.Tls.Engines;

/// <summary>Creates the TLS sessions of one endpoint (one certificate, one ALPN policy); built once per endpoint.</summary>
internal interface ITlsEngineFactory : IDisposable
{
    /// <summary>The engine's name in configuration (<c>OpenSsl</c>, <c>SslStream</c>).</summary>
    string Name { get; }

    /// <summary>A new server session, waiting for the client's ClientHello.</summary>
    ITlsEngine Create();
}
