namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// The time bounds the defence tests assert. Only upper bounds: a defence must fire no later than its configured
/// time plus <see cref="Slack"/> — one heartbeat (about a second) to notice, the rest for a busy 2-core machine
/// running other tests. How early it fires is not asserted (the server's clock starts at accept, before ours).
/// </summary>
public static class Bounds
{
    /// <summary>Added to a configured timeout (or grace period) to bound when the defence must have fired.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(5);

    /// <summary>"Promptly": a well-behaved client on a new connection is answered within this.</summary>
    public static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    /// <summary>Default bound for one read or write that should succeed at once.</summary>
    public static readonly TimeSpan Read = TimeSpan.FromSeconds(10);

    /// <summary>The bound for a defence configured to fire after <paramref name="configured"/>.</summary>
    public static TimeSpan After(TimeSpan configured) => configured + Slack;
}
