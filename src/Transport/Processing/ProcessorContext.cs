using System.Net;
using Microsoft.AspNetCore.Http.Features;

namespace Http2Lab.Transport.Processing;

/// <summary>What a dispatcher tells a protocol about a new connection when it creates its processor.</summary>
public sealed class ProcessorContext
{
    /// <summary>Creates the context.</summary>
    public ProcessorContext(string connectionId, EndPoint? remoteEndPoint, EndPoint? localEndPoint, ConnectionGate gate, IFeatureCollection features)
    {
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        Gate = gate;
        Features = features;
    }

    /// <summary>The connection's id, for logs.</summary>
    public string ConnectionId { get; }

    /// <summary>The client's address, when known.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The server address the client connected to, when known.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>The gate every call into the processor goes through.</summary>
    public ConnectionGate Gate { get; }

    /// <summary>Connection features, e.g. the TLS handshake's (<c>ITlsHandshakeFeature</c>).</summary>
    public IFeatureCollection Features { get; }
}
