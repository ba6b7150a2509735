using System.Net;
using System.Net.Sockets;

namespace Http2Lab.Transport.Hosting;

/// <summary>Which socket addresses an <see cref="EndpointUrl"/> stands for, and whether two of them overlap.</summary>
internal static class EndpointAddresses
{
    /// <summary>How much of the machine's address space a URL's host covers, from the broadest.</summary>
    private enum Scope
    {
        /// <summary><c>*</c>, <c>+</c> or <c>[::]</c>: a dual-stack socket, every IPv4 and IPv6 address.</summary>
        Every,

        /// <summary><c>0.0.0.0</c>: every IPv4 address.</summary>
        EveryIPv4,

        /// <summary><c>localhost</c>: 127.0.0.1 and [::1].</summary>
        Localhost,

        /// <summary>One address.</summary>
        Literal,
    }

    /// <summary>
    /// The host that <paramref name="a"/> and <paramref name="b"/> would both bind on one port (the more specific of the
    /// two, e.g. <c>127.0.0.1</c> for <c>*</c> and <c>127.0.0.1</c>), or null when their addresses do not overlap.
    /// </summary>
    public static string? Shared(EndpointUrl a, EndpointUrl b)
    {
        if (a.Host == b.Host)
        {
            return a.Host;
        }

        // Look at the pair broadest first, so each case below is written once.
        if (ScopeOf(a) > ScopeOf(b))
        {
            (a, b) = (b, a);
        }

        return (ScopeOf(a), ScopeOf(b)) switch
        {
            (Scope.Every, _) => b.Host,
            (Scope.EveryIPv4, Scope.Localhost) => "127.0.0.1",
            (Scope.EveryIPv4, Scope.Literal) when b.Address.AddressFamily == AddressFamily.InterNetwork => b.Host,
            (Scope.Localhost, Scope.Literal) when b.Address.Equals(IPAddress.Loopback) || b.Address.Equals(IPAddress.IPv6Loopback) => b.Host,
            _ => null,
        };
    }

    private static Scope ScopeOf(EndpointUrl url) => url switch
    {
        { IsLocalhost: true } => Scope.Localhost,
        _ when url.Address.Equals(IPAddress.IPv6Any) => Scope.Every,
        _ when url.Address.Equals(IPAddress.Any) => Scope.EveryIPv4,
        _ => Scope.Literal,
    };
}
