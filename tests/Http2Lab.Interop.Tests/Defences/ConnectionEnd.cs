namespace Http2Lab.Interop.Tests.Defences;

/// <summary>How a connection ended, as the client saw it: the frames read until then, and EOF or reset.</summary>
internal sealed class ConnectionEnd(IReadOnlyList<Frame> frames, string reason)
{
    /// <summary>Frames read from the call that waited for the end (not those read before).</summary>
    public IReadOnlyList<Frame> Frames { get; } = frames;

    /// <summary><c>EOF</c>, or the error that ended reading (a reset).</summary>
    public string Reason { get; } = reason;

    /// <summary>The last GOAWAY among <see cref="Frames"/>, or null.</summary>
    public Frame? GoAway => Frames.LastOrDefault(f => f.Type == Http2Lab.Http2.Frames.FrameType.GoAway);

    public override string ToString() => $"closed ({Reason}) after: " + string.Join(" | ", Frames.TakeLast(12));
}
