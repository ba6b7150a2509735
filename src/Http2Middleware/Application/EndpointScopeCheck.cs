using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Http2.Application;

/// <summary>
/// Finds <see cref="IHttp2Endpoint"/> registrations that would capture a scoped service: the router keeps every
/// endpoint for the life of the server, so a scoped dependency would silently become a singleton. The host's own
/// scope validation is on only in Development; this check runs always.
/// </summary>
internal static class EndpointScopeCheck
{
    /// <summary>Throws, naming the endpoint and the scoped service, when an endpoint depends on one.</summary>
    /// <exception cref="InvalidOperationException">An endpoint is scoped or needs a scoped service.</exception>
    public static void ThrowIfEndpointNeedsScope(IServiceCollection services)
    {
        var registrations = new Dictionary<Type, ServiceDescriptor>();
        foreach (ServiceDescriptor descriptor in services)
        {
            // Any scoped registration of a type is the one to report (an IEnumerable gets them all).
            if (!descriptor.IsKeyedService
                && (!registrations.TryGetValue(descriptor.ServiceType, out ServiceDescriptor? known) || known.Lifetime != ServiceLifetime.Scoped))
            {
                registrations[descriptor.ServiceType] = descriptor;
            }
        }

        var problems = new List<string>();
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType != typeof(IHttp2Endpoint) || descriptor.IsKeyedService)
            {
                continue;
            }

            Type? implementation = descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType();
            string name = implementation?.FullName ?? "an IHttp2Endpoint factory";
            if (descriptor.Lifetime == ServiceLifetime.Scoped)
            {
                problems.Add($"IHttp2Endpoint {name} is registered as scoped, but the router keeps endpoints for the server's life: register it as a singleton and take scoped services from request.RequestServices.");
                continue;
            }

            if (descriptor.ImplementationType is { } type && FindScopedDependency(type, registrations, [type]) is { } scoped)
            {
                problems.Add($"IHttp2Endpoint {name} depends on the scoped service {scoped.FullName}, which would live as long as the server: take it from request.RequestServices in HandleAsync instead.");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }
    }

    // Follows constructor parameters through transient and singleton registrations (a transient made for a singleton
    // lives as long as it); stops at types already seen.
    private static Type? FindScopedDependency(Type type, Dictionary<Type, ServiceDescriptor> registrations, HashSet<Type> seen)
    {
        foreach (ConstructorInfo constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance))
        {
            foreach (ParameterInfo parameter in constructor.GetParameters())
            {
                Type dependency = parameter.ParameterType;
                Type lookup = dependency.IsGenericType && dependency.GetGenericTypeDefinition() == typeof(IEnumerable<>)
                    ? dependency.GetGenericArguments()[0]
                    : dependency;
                if (!registrations.TryGetValue(lookup, out ServiceDescriptor? registration)
                    && !(lookup.IsGenericType && registrations.TryGetValue(lookup.GetGenericTypeDefinition(), out registration)))
                {
                    continue;
                }

                if (registration.Lifetime == ServiceLifetime.Scoped)
                {
                    return lookup;
                }

                if (registration.ImplementationType is { IsGenericTypeDefinition: false } implementation && seen.Add(implementation)
                    && FindScopedDependency(implementation, registrations, seen) is { } deeper)
                {
                    return deeper;
                }
            }
        }

        return null;
    }
}
