using System.Text;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>Everything one stream delivered up to END_STREAM or RST_STREAM (WINDOW_UPDATEs left out).</summary>
internal sealed class RawResponse(int streamId, IReadOnlyList<Frame> frames)
{
    public int StreamId { get; } = streamId;

    /// <summary>The stream's frames in arrival order, without WINDOW_UPDATE.</summary>
    public IReadOnlyList<Frame> Frames { get; } = frames;

    /// <summary>The response header section, or null when the stream was reset before it.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers =>
        Frames.FirstOrDefault(f => f.Type == FrameType.Headers)?.Headers;

    /// <summary>The <c>:status</c>, or 0 when no header section arrived.</summary>
    public int Status => int.TryParse(Header(":status"), out int status) ? status : 0;

    /// <summary>Trailers: a second header section, or null.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Trailers =>
        Frames.Where(f => f.Type == FrameType.Headers).Skip(1).FirstOrDefault()?.Headers;

    /// <summary>Concatenated DATA payloads.</summary>
    public byte[] Body => [.. Frames.Where(f => f.Type == FrameType.Data).SelectMany(f => f.Content)];

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The RST_STREAM error code, when the stream ended with a reset.</summary>
    public Http2ErrorCode? ResetCode => Frames.LastOrDefault(f => f.Type == FrameType.RstStream)?.ErrorCode;

    /// <summary>The first response field named <paramref name="name"/>, or null.</summary>
    public string? Header(string name) => Headers?.FirstOrDefault(h => h.Key == name).Value;

    /// <summary>Every response field named <paramref name="name"/>, in order.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers?.Where(h => h.Key == name).Select(h => h.Value) ?? [];

    public override string ToString() => $"stream {StreamId}: " + string.Join(" | ", Frames);
}
