using System.Buffers.Binary;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// One frame the server sent, as <see cref="RawH2Client"/> received it. DATA payloads have their padding
/// removed; a HEADERS frame stands for its whole header block (CONTINUATIONs folded in) and carries the
/// decoded fields.
/// </summary>
public sealed class RawFrame(FrameType type, FrameFlags flags, int streamId, byte[] payload, int wireLength,
    IReadOnlyList<KeyValuePair<string, string>>? headers = null)
{
    public FrameType Type { get; } = type;

    public FrameFlags Flags { get; } = flags;

    public int StreamId { get; } = streamId;

    /// <summary>The payload (DATA: without padding; HEADERS: the header block fragment).</summary>
    public byte[] Payload { get; } = payload;

    /// <summary>The payload length on the wire, padding included (what counts against flow-control windows).</summary>
    public int WireLength { get; } = wireLength;

    /// <summary>For HEADERS: the decoded fields, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; } = headers;

    public bool EndStream => Type is FrameType.Data or FrameType.Headers && (Flags & FrameFlags.EndStream) != 0;

    public bool IsAck => Type is FrameType.Settings or FrameType.Ping && (Flags & FrameFlags.Ack) != 0;

    public Http2ErrorCode ErrorCode => Type switch
    {
        FrameType.RstStream => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload),
        FrameType.GoAway => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"{Type} has no error code"),
    };

    public int Increment => Type == FrameType.WindowUpdate
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF)
        : throw new InvalidOperationException($"{Type} is not WINDOW_UPDATE");

    /// <summary>The SETTINGS parameters, in order.</summary>
    public List<KeyValuePair<SettingsParameter, uint>> Settings
    {
        get
        {
            if (Type != FrameType.Settings)
            {
                throw new InvalidOperationException($"{Type} is not SETTINGS");
            }

            var list = new List<KeyValuePair<SettingsParameter, uint>>();
            for (int i = 0; i + 6 <= Payload.Length; i += 6)
            {
                list.Add(new((SettingsParameter)BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(i)),
                    BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(i + 2))));
            }

            return list;
        }
    }

    /// <summary>The first field named <paramref name="name"/> of a HEADERS frame, or null.</summary>
    public string? Header(string name) => Headers?.FirstOrDefault(h => h.Key == name).Value;

    public override string ToString()
    {
        string detail = Type switch
        {
            FrameType.RstStream or FrameType.GoAway when Payload.Length >= 4 => " " + ErrorCode,
            FrameType.WindowUpdate when Payload.Length == 4 => " +" + Increment,
            FrameType.Headers when Headers is not null => " [" + string.Join(", ", Headers.Select(h => h.Key + ": " + h.Value)) + "]",
            _ => "",
        };
        return $"{Type} stream={StreamId} flags=0x{(byte)Flags:x2} length={Payload.Length}{detail}";
    }
}
