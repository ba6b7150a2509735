using Http2Lab.Http2.Frames;

namespace Http2Lab.Client.Probe;

/// <summary>One outcome of a probe case: its kind, the error code of a GOAWAY or RST_STREAM, the status of a response.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="ErrorCode">The code of a GOAWAY or RST_STREAM.</param>
/// <param name="Status">The <c>:status</c> of a response.</param>
public sealed record Http2ProbeOutcome(Http2ProbeOutcomeKind Kind, Http2ErrorCode? ErrorCode = null, int? Status = null)
{
    /// <summary>Extra detail: GOAWAY debug data, or why the case could not run.</summary>
    public string Detail { get; init; } = "";

    /// <summary>Whether <paramref name="actual"/> is this outcome (a response matches any status when none is named).</summary>
    public bool Matches(Http2ProbeOutcome actual) =>
        actual.Kind == Kind && (ErrorCode is null || actual.ErrorCode == ErrorCode) && (Status is null || actual.Status == Status);

    /// <summary>e.g. <c>GOAWAY PROTOCOL_ERROR</c>, <c>RST_STREAM CANCEL</c>, <c>response 200</c>.</summary>
    public override string ToString() => Kind switch
    {
        Http2ProbeOutcomeKind.GoAway => $"GOAWAY {Name(ErrorCode)}",
        Http2ProbeOutcomeKind.RstStream => $"RST_STREAM {Name(ErrorCode)}",
        Http2ProbeOutcomeKind.Response => Status is { } status ? $"response {status}" : "a response",
        Http2ProbeOutcomeKind.Ignored => "ignored",
        Http2ProbeOutcomeKind.Closed => "connection closed",
        Http2ProbeOutcomeKind.Timeout => "no reaction",
        _ => "error",
    };

    private static string Name(Http2ErrorCode? code) => code is { } c ? ErrorCodeNames.Of(c) : "(any code)";
}
