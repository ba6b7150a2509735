namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// A dispatcher name and its factory, registered in DI (see
/// <see cref="Hosting.Http2LabServiceCollectionExtensions.AddHttp2LabDispatcher"/>) and collected by
/// <see cref="DispatcherRegistry"/>.
/// </summary>
/// <param name="Name">The name endpoints use in <see cref="Hosting.EndpointOptions.Dispatcher"/> (case-insensitive).</param>
/// <param name="Factory">Creates the dispatcher of one endpoint.</param>
/// <param name="SupportsTls">Whether it can serve https endpoints; an https endpoint naming it is a configuration error.</param>
internal sealed record DispatcherRegistration(string Name, DispatcherFactory Factory, bool SupportsTls = true);
