using System.Text;

namespace Http2Lab.Client.Probe;

/// <summary>The results of a probe run against one server.</summary>
public sealed class Http2ProbeReport
{
    internal Http2ProbeReport(Uri target, IReadOnlyList<Http2ProbeResult> results)
    {
        Target = target;
        Results = results;
    }

    /// <summary>The server probed.</summary>
    public Uri Target { get; }

    /// <summary>One result per case, in the order of <see cref="Http2Probe.Cases"/>.</summary>
    public IReadOnlyList<Http2ProbeResult> Results { get; }

    /// <summary>Cases whose reaction the RFC allows.</summary>
    public int PassedCount => Results.Count(r => r.Passed);

    /// <summary>Every case got an allowed reaction.</summary>
    public bool AllPassed => PassedCount == Results.Count;

    /// <summary>The report as a table: case, section, expected, got, verdict; then a summary line.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("HTTP/2 probe of ").Append(Target).Append('\n');
        int nameWidth = Math.Max(4, Results.Max(r => r.Case.Name.Length));
        int sectionWidth = Math.Max(7, Results.Max(r => r.Case.Section.Length));
        foreach (Http2ProbeResult result in Results)
        {
            text.Append(result.Passed ? "ok    " : "FAIL  ")
                .Append(result.Case.Name.PadRight(nameWidth)).Append("  ")
                .Append(result.Case.Section.PadRight(sectionWidth)).Append("  got ")
                .Append(result.Outcome);
            if (!result.Passed)
            {
                text.Append(", expected ").Append(result.Case.Expected);
            }

            if (result.Outcome.Detail.Length > 0)
            {
                text.Append("  (").Append(result.Outcome.Detail).Append(')');
            }

            text.Append('\n');
        }

        text.Append(PassedCount).Append(" of ").Append(Results.Count).Append(" cases as RFC 9113 requires\n");
        return text.ToString();
    }
}
