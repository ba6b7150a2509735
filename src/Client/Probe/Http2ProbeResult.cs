namespace Http2Lab.Client.Probe;

/// <summary>A probe case and what the server did.</summary>
/// <param name="Case">The case.</param>
/// <param name="Outcome">The server's reaction.</param>
public sealed record Http2ProbeResult(Http2ProbeCase Case, Http2ProbeOutcome Outcome)
{
    /// <summary>The reaction is one the RFC allows.</summary>
    public bool Passed => Case.Accepts(Outcome);
}
