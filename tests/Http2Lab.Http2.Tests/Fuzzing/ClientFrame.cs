using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// One unit of client input as the generator made it: the connection preface or one frame, as octets. For HEADERS and
/// CONTINUATION, where the field block fragment lies in <see cref="Octets"/> (so a mutation can aim at the HPACK data).
/// </summary>
internal sealed class ClientFrame
{
    public ClientFrame(byte[] octets, FrameType? type, int streamId, int fragmentOffset = -1, int fragmentLength = 0)
    {
        Octets = octets;
        Type = type;
        StreamId = streamId;
        FragmentOffset = fragmentOffset;
        FragmentLength = fragmentLength;
    }

    public byte[] Octets { get; }

    /// <summary>The frame type, or null for the connection preface.</summary>
    public FrameType? Type { get; }

    public int StreamId { get; }

    /// <summary>Offset of the field block fragment in <see cref="Octets"/>, −1 when the frame carries none.</summary>
    public int FragmentOffset { get; }

    public int FragmentLength { get; }

    public bool HasFragment => FragmentOffset >= 0;

    public bool IsPreface => Type is null;

    public static ClientFrame Preface() => new(Http2Constants.ClientPreface.ToArray(), null, 0);

    /// <summary>A frame built elsewhere (e.g. by <see cref="FrameBuilder"/>); type and stream are read back from its header.</summary>
    public static ClientFrame Of(byte[] octets)
    {
        FrameHeader header = FrameHeader.Read(octets);
        return new ClientFrame(octets, header.Type, header.StreamId);
    }

    public override string ToString() => IsPreface ? "preface" : $"{Type} stream={StreamId} length={Octets.Length - Http2Constants.FrameHeaderLength}";
}
