namespace Http2Lab.Client.Probe;

/// <summary>How <see cref="Http2Probe"/> connects and how long it waits for each reaction.</summary>
public sealed class Http2ProbeOptions
{
    /// <summary>Validate the server's certificate over https (on by default; off for labs).</summary>
    public bool ValidateCertificate { get; set; } = true;

    /// <summary>How long a case waits for the server's reaction.</summary>
    public TimeSpan CaseTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
