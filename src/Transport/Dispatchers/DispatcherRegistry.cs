using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// The dispatchers registered in DI, by name. When two registrations share a name the later one wins,
/// so an application can replace a built-in dispatcher.
/// </summary>
public sealed class DispatcherRegistry
{
    /// <summary>The name of the built-in <see cref="AsyncDispatcher"/>.</summary>
    public const string Async = "Async";

    private readonly Dictionary<string, DispatcherFactory> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the registry from the registered dispatchers.</summary>
    /// <param name="registrations">All <see cref="DispatcherRegistration"/> services, in registration order.</param>
    public DispatcherRegistry(IEnumerable<DispatcherRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            _factories[registration.Name] = registration.Factory;
        }
    }

    /// <summary>The registered dispatcher names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Whether a dispatcher called <paramref name="name"/> is registered.</summary>
    /// <param name="name">The dispatcher name (case-insensitive).</param>
    public bool Contains(string? name) => name is not null && _factories.ContainsKey(name);

    /// <summary>Creates the dispatcher called <see cref="EndpointOptions.Dispatcher"/> for one endpoint.</summary>
    /// <param name="services">The host's service provider.</param>
    /// <param name="endpointName">The endpoint's configuration name.</param>
    /// <param name="endpoint">The endpoint's options.</param>
    /// <param name="application">The endpoint's connection pipeline.</param>
    /// <exception cref="KeyNotFoundException">No dispatcher has that name.</exception>
    public Dispatcher Create(IServiceProvider services, string endpointName, EndpointOptions endpoint, ConnectionDelegate application)
    {
        if (!_factories.TryGetValue(endpoint.Dispatcher, out var factory))
        {
            throw new KeyNotFoundException(
                $"Unknown dispatcher '{endpoint.Dispatcher}' (known: {string.Join(", ", Names)})");
        }

        return factory(services, endpointName, endpoint, application);
    }
}
