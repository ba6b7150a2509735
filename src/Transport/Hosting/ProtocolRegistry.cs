using System.Diagnostics.CodeAnalysis;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The protocols registered in DI, by name. When two registrations share a name, the later one wins,
/// so an application can replace a built-in protocol.
/// </summary>
internal sealed class ProtocolRegistry
{
    private readonly Dictionary<string, IConnectionProtocol> _protocols = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the registry from the registered protocols.</summary>
    /// <param name="protocols">All <see cref="IConnectionProtocol"/> services, in registration order.</param>
    public ProtocolRegistry(IEnumerable<IConnectionProtocol> protocols)
    {
        foreach (var protocol in protocols)
        {
            _protocols[protocol.Name] = protocol;
        }
    }

    /// <summary>The registered protocol names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _protocols.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Finds the protocol called <paramref name="name"/>.</summary>
    /// <param name="name">The protocol name (case-insensitive).</param>
    /// <param name="protocol">The protocol, when registered.</param>
    public bool TryGet(string? name, [NotNullWhen(true)] out IConnectionProtocol? protocol)
    {
        protocol = null;
        return name is not null && _protocols.TryGetValue(name, out protocol);
    }
}
