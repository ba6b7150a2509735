using System.Buffers.Binary;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// The client octets the session consumed, framed the way the session frames them (preface, then 9-octet headers
/// and payloads), and what the output checker needs from them: SETTINGS awaiting their ACK, PING payloads that may
/// be echoed, window increments granted, DATA sent and the highest stream id the client used. After a connection
/// error the session consumes everything unframed; nothing it sends afterwards depends on this any more.
/// </summary>
internal sealed class ConsumedInput
{
    private readonly List<byte> _partial = [];
    private readonly HashSet<int> _endedStreams = [];
    private bool _prefaceSkipped;

    /// <summary>Everything consumed so far forms whole frames (after the preface).</summary>
    public bool AtFrameBoundary => _prefaceSkipped && _partial.Count == 0;

    /// <summary>The 24 octets of the preface were consumed; frames follow.</summary>
    public bool PrefaceSeen => _prefaceSkipped;

    /// <summary>Non-ACK SETTINGS in arrival order, each as its parameter list; the server ACKs them in this order.</summary>
    public Queue<List<(SettingsParameter Id, uint Value)>> UnacknowledgedSettings { get; } = new();

    /// <summary>The largest SETTINGS_MAX_FRAME_SIZE the client announced (16384 until it announced more).</summary>
    public int LargestMaxFrameSize { get; private set; } = Http2Constants.DefaultMaxFrameSize;

    public Dictionary<ulong, int> PingPayloads { get; } = [];

    public long ConnectionIncrements { get; private set; }

    public Dictionary<int, long> StreamIncrements { get; } = [];

    public long DataOctets { get; private set; }

    public Dictionary<int, long> StreamDataOctets { get; } = [];

    /// <summary>The request body octets (DATA without padding) the client sent on each stream.</summary>
    public Dictionary<int, BodyDigest> RequestBodies { get; } = [];

    /// <summary>The highest odd stream id on which the client sent HEADERS.</summary>
    public int HighestClientStreamId { get; private set; }

    public void Add(ReadOnlySpan<byte> consumed)
    {
        _partial.AddRange(consumed);
        if (!_prefaceSkipped)
        {
            if (_partial.Count < Http2Constants.ClientPreface.Length)
            {
                return;
            }

            _partial.RemoveRange(0, Http2Constants.ClientPreface.Length);
            _prefaceSkipped = true;
        }

        int offset = 0;
        byte[] octets = [.. _partial];
        while (octets.Length - offset >= Http2Constants.FrameHeaderLength)
        {
            FrameHeader header = FrameHeader.Read(octets.AsSpan(offset));
            if (octets.Length - offset - Http2Constants.FrameHeaderLength < header.PayloadLength)
            {
                break;
            }

            OnFrame(header, octets.AsSpan(offset + Http2Constants.FrameHeaderLength, header.PayloadLength));
            offset += Http2Constants.FrameHeaderLength + header.PayloadLength;
        }

        _partial.RemoveRange(0, offset);
    }

    /// <summary>DATA after END_STREAM is not part of the request body (the session answers it with STREAM_CLOSED).</summary>
    private void NoteEndStream(FrameHeader header)
    {
        if (header.HasFlag(FrameFlags.EndStream))
        {
            _endedStreams.Add(header.StreamId);
        }
    }

    private void OnFrame(FrameHeader header, ReadOnlySpan<byte> payload)
    {
        int id = header.StreamId;
        switch (header.Type)
        {
            case FrameType.Settings when !header.HasFlag(FrameFlags.Ack):
                var settings = new List<(SettingsParameter, uint)>();
                for (int i = 0; i + 6 <= payload.Length; i += 6)
                {
                    settings.Add(((SettingsParameter)BinaryPrimitives.ReadUInt16BigEndian(payload[i..]), BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..])));
                }

                UnacknowledgedSettings.Enqueue(settings);
                foreach ((SettingsParameter parameter, uint value) in settings)
                {
                    if (parameter == SettingsParameter.MaxFrameSize && value <= Http2Constants.MaxAllowedFrameSize)
                    {
                        LargestMaxFrameSize = Math.Max(LargestMaxFrameSize, (int)value);
                    }
                }

                break;
            case FrameType.Ping when !header.HasFlag(FrameFlags.Ack) && payload.Length == 8:
                ulong opaque = BinaryPrimitives.ReadUInt64BigEndian(payload);
                PingPayloads[opaque] = PingPayloads.GetValueOrDefault(opaque) + 1;
                break;
            case FrameType.WindowUpdate when payload.Length == 4:
                long increment = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF;
                if (id == 0)
                {
                    ConnectionIncrements += increment;
                }
                else
                {
                    StreamIncrements[id] = StreamIncrements.GetValueOrDefault(id) + increment;
                }

                break;
            case FrameType.Data:
                DataOctets += payload.Length;
                StreamDataOctets[id] = StreamDataOctets.GetValueOrDefault(id) + payload.Length;
                if (!_endedStreams.Contains(id) && FrameReader.TryRemovePadding(header, payload, out ReadOnlySpan<byte> content, out _))
                {
                    BodyDigest body = RequestBodies.GetValueOrDefault(id, new BodyDigest());
                    body.Add(content);
                    RequestBodies[id] = body;
                }

                NoteEndStream(header);
                break;
            case FrameType.Headers:
                HighestClientStreamId = (id & 1) == 1 ? Math.Max(HighestClientStreamId, id) : HighestClientStreamId;
                NoteEndStream(header);
                break;
        }
    }
}
