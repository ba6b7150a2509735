namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Builds the configuration keys that error messages name, from the section the options were bound from
/// (normally <c>Http2Lab</c>). An endpoint made from <c>urls</c> has no keys of its own: its messages name <c>urls</c>.
/// </summary>
internal sealed class TransportConfigurationKeys(string section)
{
    public string Section { get; } = section;

    public string Endpoints => $"{Section}:Endpoints";

    public string Endpoint(string name) => $"{Section}:Endpoints:{name}";

    /// <summary>The key of the endpoint, e.g. <c>Http2Lab:Endpoints:h2c</c>, or <c>urls</c> for one made from it.</summary>
    public string Endpoint(string name, EndpointOptions endpoint) => endpoint.GeneratedFrom ?? Endpoint(name);

    /// <summary>The key of one setting of the endpoint, e.g. <c>Http2Lab:Endpoints:h2c:Url</c>, or <c>urls</c>.</summary>
    public string Setting(string name, EndpointOptions endpoint, string setting) =>
        endpoint.GeneratedFrom ?? $"{Endpoint(name)}:{setting}";
}
