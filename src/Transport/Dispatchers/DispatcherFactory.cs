using Http2Lab.Transport.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>Creates the dispatcher of one endpoint.</summary>
/// <param name="services">The host's service provider.</param>
/// <param name="endpointName">The endpoint's configuration name.</param>
/// <param name="endpoint">The endpoint's options.</param>
/// <param name="application">The endpoint's connection pipeline.</param>
public delegate Dispatcher DispatcherFactory(
    IServiceProvider services,
    string endpointName,
    EndpointOptions endpoint,
    ConnectionDelegate application);
