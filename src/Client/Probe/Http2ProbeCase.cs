namespace Http2Lab.Client.Probe;

/// <summary>
/// One probe case: frames sent on a fresh connection after the handshake, and the reactions RFC 9113 allows
/// (a stream error may also be raised as a connection error, §5.4.1, so both are often accepted).
/// </summary>
public sealed class Http2ProbeCase
{
    internal Http2ProbeCase(string name, string section, Action<ProbeFrames> build, params Http2ProbeOutcome[] accepted)
    {
        Name = name;
        Section = section;
        Build = build;
        Accepted = accepted;
    }

    /// <summary>What the case sends, in a few words.</summary>
    public string Name { get; }

    /// <summary>The RFC section that says what must happen, e.g. <c>RFC 9113 §6.5.2</c>.</summary>
    public string Section { get; }

    /// <summary>The reactions the RFC allows.</summary>
    public IReadOnlyList<Http2ProbeOutcome> Accepted { get; }

    /// <summary>Whether a response is the expected reaction (then the probe waits for it rather than for the PING's ACK).</summary>
    public bool ExpectsResponse => Accepted.Any(a => a.Kind == Http2ProbeOutcomeKind.Response);

    internal Action<ProbeFrames> Build { get; }

    /// <summary>Whether <paramref name="outcome"/> is one of <see cref="Accepted"/>.</summary>
    public bool Accepts(Http2ProbeOutcome outcome) => Accepted.Any(a => a.Matches(outcome));

    /// <summary>The accepted reactions, e.g. <c>RST_STREAM PROTOCOL_ERROR | GOAWAY PROTOCOL_ERROR</c>.</summary>
    public string Expected => string.Join(" | ", Accepted);
}
