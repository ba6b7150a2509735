using System.Buffers.Binary;
using System.Text;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Tests.Session;

/// <summary>One frame the session sent, parsed back from its output.</summary>
internal sealed class Frame
{
    public Frame(FrameType type, FrameFlags flags, int streamId, byte[] payload)
    {
        Type = type;
        Flags = flags;
        StreamId = streamId;
        Payload = payload;
    }

    public FrameType Type { get; }

    public FrameFlags Flags { get; }

    public int StreamId { get; }

    public byte[] Payload { get; }

    /// <summary>For HEADERS: the complete header block (with its CONTINUATIONs), once END_HEADERS arrived.</summary>
    public byte[]? HeaderBlock { get; set; }

    /// <summary>For HEADERS: the decoded fields, once END_HEADERS arrived.</summary>
    public List<KeyValuePair<string, string>>? Headers { get; set; }

    public bool HasFlag(FrameFlags flag) => (Flags & flag) == flag;

    public bool EndStream => HasFlag(FrameFlags.EndStream);

    public Http2ErrorCode ErrorCode => Type switch
    {
        FrameType.RstStream => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload),
        FrameType.GoAway => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"{Type} has no error code"),
    };

    public int LastStreamId => Type == FrameType.GoAway
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF)
        : throw new InvalidOperationException($"{Type} is not GOAWAY");

    public string DebugData => Type == FrameType.GoAway
        ? Encoding.ASCII.GetString(Payload.AsSpan(8))
        : throw new InvalidOperationException($"{Type} is not GOAWAY");

    public int Increment => Type == FrameType.WindowUpdate
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF)
        : throw new InvalidOperationException($"{Type} is not WINDOW_UPDATE");

    public ulong PingData => Type == FrameType.Ping
        ? BinaryPrimitives.ReadUInt64BigEndian(Payload)
        : throw new InvalidOperationException($"{Type} is not PING");

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

    /// <summary>The :status of a decoded response HEADERS frame.</summary>
    public string? Status => Headers?.FirstOrDefault(h => h.Key == ":status").Value;

    public string? Header(string name) => Headers?.FirstOrDefault(h => h.Key == name).Value;

    public override string ToString()
    {
        string detail = Type switch
        {
            FrameType.RstStream or FrameType.GoAway when Payload.Length >= 4 => " " + ErrorCode,
            FrameType.WindowUpdate when Payload.Length == 4 => " +" + Increment,
            _ => "",
        };
        return $"{Type} stream={StreamId} flags=0x{(byte)Flags:x2} length={Payload.Length}{detail}";
    }
}
