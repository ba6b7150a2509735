namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Builds the configuration keys that error messages name, from the section the options were bound from
/// (normally <c>Http2Lab</c>).
/// </summary>
internal sealed class TransportConfigurationKeys(string section)
{
    public string Section { get; } = section;

    public string Endpoints => $"{Section}:Endpoints";

    public string Endpoint(string name) => $"{Section}:Endpoints:{name}";
}
