namespace Http2Lab.Samples.AspNetCoreApp;

/// <summary>A scoped service: one instance per request, shared by everything that request resolves.</summary>
public sealed class RequestScope
{
    /// <summary>Distinct for every request.</summary>
    public Guid Id { get; } = Guid.NewGuid();
}
