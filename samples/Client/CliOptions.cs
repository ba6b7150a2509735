namespace Http2Lab.Samples.Client;

/// <summary>What the command line asked for.</summary>
internal sealed record CliOptions(
    IReadOnlyList<string> Urls,
    string? OutputPath,
    bool Insecure,
    string? Method,
    IReadOnlyList<string> Headers,
    string? Data,
    bool Include,
    int Requests,
    int Clients,
    int MaxConcurrentStreams,
    bool Verbose,
    bool Probe,
    int Pings = 0)
{
    /// <summary>Quick load mode (<c>-n</c>): many requests, a summary instead of bodies.</summary>
    public bool IsLoad => Requests > 0;
}
