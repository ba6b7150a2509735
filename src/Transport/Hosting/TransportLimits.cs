using System.ComponentModel.DataAnnotations;

namespace Http2Lab.Transport.Hosting;

/// <summary>Transport limits, bound from <c>Http2Lab:Limits</c> (next to the protocol's limits).</summary>
public sealed class TransportLimits
{
    /// <summary>
    /// Connections served at once on each endpoint; a connection beyond it is accepted and closed at once
    /// (counted in <c>http2lab.connections.rejected</c>). Keep it below the process's file-descriptor limit.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxConnections { get; set; } = 10_000;
}
