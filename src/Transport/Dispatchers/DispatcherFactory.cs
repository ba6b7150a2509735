using Http2Lab.Transport.Hosting;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>Creates the dispatcher of one endpoint.</summary>
/// <param name="services">The host's service provider.</param>
/// <param name="endpoint">The prepared endpoint.</param>
public delegate Dispatcher DispatcherFactory(IServiceProvider services, EndpointContext endpoint);
