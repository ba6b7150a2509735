namespace Http2Lab.Http2.Frames;

/// <summary>
/// One received frame whose per-type rules (§6) have been checked by <see cref="FrameReader.TryDecode"/>:
/// the fields below can be read without further length checks. A view over the caller's octets, valid
/// only as long as they are.
/// </summary>
internal readonly ref struct Http2Frame
{
    private readonly int _priorityOffset;

    internal Http2Frame(FrameHeader header, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> content, int priorityOffset)
    {
        Header = header;
        Payload = payload;
        Content = content;
        _priorityOffset = priorityOffset;
    }

    /// <summary>The frame header.</summary>
    public FrameHeader Header { get; }

    /// <summary>The frame type.</summary>
    public FrameType Type => Header.Type;

    /// <summary>The stream identifier.</summary>
    public int StreamId => Header.StreamId;

    /// <summary>The whole payload as received, padding included (what DATA costs in flow control, §6.9.1).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>
    /// DATA: the data; HEADERS, PUSH_PROMISE and CONTINUATION: the field block fragment; GOAWAY: the debug data.
    /// Padding, priority fields and the promised stream id are removed. Other types: the payload.
    /// </summary>
    public ReadOnlySpan<byte> Content { get; }

    /// <summary>Octets of padding (and the Pad Length field) in a padded DATA frame.</summary>
    public int PaddingLength => Payload.Length - Content.Length;

    /// <summary>END_STREAM on DATA or HEADERS.</summary>
    public bool EndStream => Type is FrameType.Data or FrameType.Headers && Header.HasFlag(FrameFlags.EndStream);

    /// <summary>END_HEADERS on HEADERS, PUSH_PROMISE or CONTINUATION.</summary>
    public bool EndHeaders => Header.HasFlag(FrameFlags.EndHeaders);

    /// <summary>ACK on SETTINGS or PING.</summary>
    public bool IsAck => Type is FrameType.Settings or FrameType.Ping && Header.HasFlag(FrameFlags.Ack);

    /// <summary>Whether the frame carries priority fields: PRIORITY, or HEADERS with the PRIORITY flag.</summary>
    public bool HasPriority => _priorityOffset >= 0;

    /// <summary>The priority fields (§5.3.2: parsed, then ignored); only when <see cref="HasPriority"/>.</summary>
    public PriorityFields Priority => FrameReader.ReadPriority(Payload[_priorityOffset..]);

    /// <summary>Whether the priority fields make the stream depend on itself (§5.3.1: a stream error).</summary>
    public bool IsSelfDependent => HasPriority && Priority.Dependency == StreamId;

    /// <summary>The error code of RST_STREAM or GOAWAY.</summary>
    public Http2ErrorCode ErrorCode => Type == FrameType.GoAway
        ? (Http2ErrorCode)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Payload[4..])
        : FrameReader.ReadRstStream(Payload);

    /// <summary>The last stream id of GOAWAY.</summary>
    public int LastStreamId => FrameReader.ReadGoAway(Payload, out _, out _);

    /// <summary>The increment of WINDOW_UPDATE (never 0 on a frame that decoded without error).</summary>
    public int WindowIncrement => FrameReader.ReadWindowUpdate(Payload);

    /// <summary>The opaque data of PING.</summary>
    public ulong PingData => FrameReader.ReadPing(Payload);

    /// <summary>The number of parameters in SETTINGS.</summary>
    public int SettingsCount => Payload.Length / 6;

    /// <summary>SETTINGS parameter <paramref name="index"/>.</summary>
    public KeyValuePair<SettingsParameter, uint> GetSetting(int index) => FrameReader.ReadSetting(Payload, index);

    /// <summary>The promised stream id of PUSH_PROMISE.</summary>
    public int PromisedStreamId => FrameReader.ReadPromisedStreamId(Payload[(Header.HasFlag(FrameFlags.Padded) ? 1 : 0)..]);
}
