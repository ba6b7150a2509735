using System.Buffers.Binary;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// One frame the server sent, as <see cref="WireClient"/> read it. A HEADERS frame stands for its whole header block
/// (CONTINUATIONs folded in) and carries the decoded fields.
/// </summary>
public sealed class WireFrame(FrameType type, FrameFlags flags, int streamId, byte[] payload,
    IReadOnlyList<KeyValuePair<string, string>>? fields = null)
{
    public FrameType Type { get; } = type;

    public FrameFlags Flags { get; } = flags;

    public int StreamId { get; } = streamId;

    public byte[] Payload { get; } = payload;

    /// <summary>For HEADERS: the decoded fields.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Fields { get; } = fields;

    public bool IsAck => Type is FrameType.Settings or FrameType.Ping && (Flags & FrameFlags.Ack) != 0;

    public bool EndStream => Type is FrameType.Data or FrameType.Headers && (Flags & FrameFlags.EndStream) != 0;

    /// <summary>The error code of RST_STREAM or GOAWAY.</summary>
    public Http2ErrorCode ErrorCode => Type switch
    {
        FrameType.RstStream => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload),
        FrameType.GoAway => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"{Type} has no error code"),
    };

    /// <summary>GOAWAY's debug data as ASCII (the server names the rule or limit there).</summary>
    public string DebugData => Type == FrameType.GoAway && Payload.Length > 8 ? System.Text.Encoding.ASCII.GetString(Payload, 8, Payload.Length - 8) : "";

    /// <summary>The <c>:status</c> of a response HEADERS, or 0.</summary>
    public int Status => int.TryParse(Fields?.FirstOrDefault(f => f.Key == ":status").Value, out int status) ? status : 0;

    public override string ToString()
    {
        string detail = Type switch
        {
            FrameType.RstStream when Payload.Length >= 4 => " " + ErrorCode,
            FrameType.GoAway when Payload.Length >= 8 => " " + ErrorCode + (DebugData.Length > 0 ? " '" + DebugData + "'" : ""),
            FrameType.Headers when Fields is not null => " [" + string.Join(", ", Fields.Select(f => f.Key + ": " + f.Value)) + "]",
            _ => "",
        };
        return $"{Type} stream={StreamId} flags=0x{(byte)Flags:x2} length={Payload.Length}{detail}";
    }
}
