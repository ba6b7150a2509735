namespace Http2Lab.Transport.Processing;

/// <summary>Creates the processor of one new connection.</summary>
/// <param name="context">The connection: its id, addresses, gate and features.</param>
public delegate IConnectionProcessor ConnectionProcessorFactory(ProcessorContext context);
