using System.Text;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Testing;

/// <summary>
/// One frame a test read back from a server: type, flags, stream and payload as they were on the wire, with readers
/// for the fields of each type. Once <see cref="HeaderBlockDecoder"/> has seen END_HEADERS, a HEADERS frame also
/// carries its whole header block (CONTINUATIONs included) and the decoded fields.
/// </summary>
internal sealed class Frame(FrameType type, FrameFlags flags, int streamId, byte[] payload)
{
    /// <summary>The frame type; values outside <see cref="FrameType"/> are unknown types.</summary>
    public FrameType Type { get; } = type;

    /// <summary>Flag bits as sent.</summary>
    public FrameFlags Flags { get; } = flags;

    /// <summary>Stream identifier, reserved bit cleared.</summary>
    public int StreamId { get; } = streamId;

    /// <summary>The payload as sent, padding included (what DATA costs in flow-control windows, §6.9.1).</summary>
    public byte[] Payload { get; } = payload;

    /// <summary>Whether the reserved bit of the stream identifier was set (§4.1: a sender must leave it unset).</summary>
    public bool ReservedBit { get; init; }

    /// <summary>For HEADERS: the complete header block, CONTINUATIONs included, once END_HEADERS arrived.</summary>
    public byte[]? HeaderBlock { get; internal set; }

    /// <summary>For HEADERS: the decoded fields in order, once END_HEADERS arrived.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; internal set; }

    /// <summary>Whether all bits of <paramref name="flag"/> are set.</summary>
    public bool HasFlag(FrameFlags flag) => (Flags & flag) == flag;

    /// <summary>END_STREAM on DATA or HEADERS.</summary>
    public bool EndStream => Type is FrameType.Data or FrameType.Headers && HasFlag(FrameFlags.EndStream);

    /// <summary>ACK on SETTINGS or PING.</summary>
    public bool IsAck => Type is FrameType.Settings or FrameType.Ping && HasFlag(FrameFlags.Ack);

    /// <summary>
    /// DATA: the data; HEADERS, PUSH_PROMISE and CONTINUATION: the field block fragment; GOAWAY: the debug data.
    /// Padding and priority fields removed. Throws <see cref="InvalidDataException"/> for a frame that breaks its type's rules.
    /// </summary>
    public byte[] Content => FrameReader.TryDecode(new FrameHeader(Payload.Length, Type, Flags, StreamId), Payload, out Http2Frame frame, out FrameError error)
        ? frame.Content.ToArray()
        : throw new InvalidDataException($"{this}: {error.Reason}");

    /// <summary>The error code of RST_STREAM or GOAWAY.</summary>
    public Http2ErrorCode ErrorCode
    {
        get
        {
            if (Type == FrameType.RstStream)
            {
                return FrameReader.ReadRstStream(Payload);
            }

            if (Type != FrameType.GoAway)
            {
                throw new InvalidOperationException($"{Type} has no error code");
            }

            ReadGoAway(out Http2ErrorCode errorCode, out _);
            return errorCode;
        }
    }

    /// <summary>The last stream id of GOAWAY.</summary>
    public int LastStreamId => ReadGoAway(out _, out _);

    /// <summary>GOAWAY's debug data as ASCII (the server names the rule or limit broken there).</summary>
    public string DebugData
    {
        get
        {
            ReadGoAway(out _, out ReadOnlySpan<byte> debugData);
            return Encoding.ASCII.GetString(debugData);
        }
    }

    /// <summary>The increment of WINDOW_UPDATE, reserved bit cleared.</summary>
    public int Increment => Type == FrameType.WindowUpdate
        ? FrameReader.ReadWindowUpdate(Payload)
        : throw new InvalidOperationException($"{Type} is not WINDOW_UPDATE");

    /// <summary>The opaque data of PING.</summary>
    public ulong PingData => Type == FrameType.Ping
        ? FrameReader.ReadPing(Payload)
        : throw new InvalidOperationException($"{Type} is not PING");

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
            for (int i = 0; i < Payload.Length / 6; i++)
            {
                list.Add(FrameReader.ReadSetting(Payload, i));
            }

            return list;
        }
    }

    /// <summary>The <c>:status</c> of a decoded response HEADERS frame, or null.</summary>
    public string? Status => Header(":status");

    /// <summary>The first decoded field named <paramref name="name"/> of a HEADERS frame, or null.</summary>
    public string? Header(string name) => Headers?.FirstOrDefault(h => h.Key == name).Value;

    /// <inheritdoc />
    public override string ToString()
    {
        string detail = Type switch
        {
            FrameType.RstStream when Payload.Length >= 4 => " " + ErrorCode,
            FrameType.GoAway when Payload.Length >= 8 => " " + ErrorCode + (Payload.Length > 8 ? " '" + DebugData + "'" : ""),
            FrameType.WindowUpdate when Payload.Length == 4 => " +" + Increment,
            FrameType.Headers when Headers is not null => " [" + string.Join(", ", Headers.Select(h => h.Key + ": " + h.Value)) + "]",
            _ => "",
        };
        return $"{Type} stream={StreamId} flags=0x{(byte)Flags:x2} length={Payload.Length}{detail}";
    }

    private int ReadGoAway(out Http2ErrorCode errorCode, out ReadOnlySpan<byte> debugData) => Type == FrameType.GoAway
        ? FrameReader.ReadGoAway(Payload, out errorCode, out debugData)
        : throw new InvalidOperationException($"{Type} is not GOAWAY");
}
