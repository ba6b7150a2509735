using Http2Lab.Transport.Hosting;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// The dispatchers registered in DI, by name. When two registrations share a name the later one wins,
/// so an application can replace a built-in dispatcher.
/// </summary>
internal sealed class DispatcherRegistry
{
    /// <summary>The name of the built-in <see cref="AsyncDispatcher"/>.</summary>
    public const string Async = "Async";

    /// <summary>The name of the built-in <see cref="Blocking.SingleClientDispatcher"/>.</summary>
    public const string SingleClient = "SingleClient";

    /// <summary>The name of the built-in <see cref="Blocking.ThreadPerConnectionDispatcher"/>.</summary>
    public const string ThreadPerConnection = "ThreadPerConnection";

    /// <summary>The name of the built-in <see cref="Poll.PollDispatcher"/>.</summary>
    public const string Poll = "Poll";

    private readonly Dictionary<string, DispatcherRegistration> _registrations = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the registry from the registered dispatchers.</summary>
    /// <param name="registrations">All <see cref="DispatcherRegistration"/> services, in registration order.</param>
    public DispatcherRegistry(IEnumerable<DispatcherRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            _registrations[registration.Name] = registration;
        }
    }

    /// <summary>The registered dispatcher names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _registrations.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>Whether a dispatcher called <paramref name="name"/> is registered.</summary>
    /// <param name="name">The dispatcher name (case-insensitive).</param>
    public bool Contains(string? name) => name is not null && _registrations.ContainsKey(name);

    /// <summary>Whether the dispatcher called <paramref name="name"/> can serve https endpoints.</summary>
    public bool SupportsTls(string name) => _registrations.TryGetValue(name, out var registration) && registration.SupportsTls;

    /// <summary>Creates the dispatcher called <see cref="EndpointOptions.Dispatcher"/> for one endpoint.</summary>
    /// <param name="services">The host's service provider.</param>
    /// <param name="endpoint">The prepared endpoint.</param>
    /// <exception cref="KeyNotFoundException">No dispatcher has that name.</exception>
    public Dispatcher Create(IServiceProvider services, EndpointContext endpoint)
    {
        if (!_registrations.TryGetValue(endpoint.Options.Dispatcher, out var registration))
        {
            throw new KeyNotFoundException(
                $"Unknown dispatcher '{endpoint.Options.Dispatcher}' (known: {string.Join(", ", Names)})");
        }

        return registration.Factory(services, endpoint);
    }
}
