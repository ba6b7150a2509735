using System.ComponentModel.DataAnnotations;

namespace Http2Lab.Transport.Hosting;

/// <summary>Transport limits, bound from <c>Http2Lab:Limits</c> (next to the protocol's limits).</summary>
public sealed class TransportLimits
{
    /// <summary>
    /// Connections served at once on each endpoint; a connection beyond it is accepted and closed at once
    /// (counted in <c>http2lab.connections.rejected</c>). Empty: <see cref="DefaultMaxConnections"/>, or fewer when the
    /// file-descriptor limit is lower — what it leaves after the descriptors open at start and a margin of 64, shared
    /// by the endpoints — so the process never runs out of them.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int? MaxConnections { get; set; }

    /// <summary>The connection limit per endpoint when none is configured and descriptors allow.</summary>
    public const int DefaultMaxConnections = 10_000;
}
