namespace Http2Lab.Http2.Frames;

// Per-type frame validation (RFC 9113 §4.2, §6): the rules a frame breaks on its own, whatever the state.
internal static partial class FrameReader
{
    /// <summary>§4.2: a frame longer than our SETTINGS_MAX_FRAME_SIZE, checked before its payload is buffered.</summary>
    public static bool IsTooLarge(FrameHeader header, int maxFrameSize, out FrameError error)
    {
        if (header.PayloadLength <= maxFrameSize)
        {
            error = default;
            return false;
        }

        // Every frame type may alter connection state or carry a field block here, so always a connection error.
        error = FrameError.Connection(Http2ErrorCode.FrameSizeError,
            $"{header.Type} frame of {header.PayloadLength} octets exceeds SETTINGS_MAX_FRAME_SIZE {maxFrameSize}");
        return true;
    }

    /// <summary>
    /// Checks the rules of the frame's type and returns a typed view of it. Unknown types always decode (§4.1:
    /// they are ignored). A stream error leaves <paramref name="frame"/> usable where the session must still
    /// look inside (never for a field block: a HEADERS frame with a self-dependency decodes, see
    /// <see cref="Http2Frame.IsSelfDependent"/>, because its block must still reach the HPACK decoder).
    /// </summary>
    public static bool TryDecode(FrameHeader header, ReadOnlySpan<byte> payload, out Http2Frame frame, out FrameError error)
    {
        error = default;
        frame = default;
        int id = header.StreamId;
        switch (header.Type)
        {
            case FrameType.Data:
            {
                if (id == 0)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError, "DATA on stream 0 (§6.1)"));
                }

                if (!TryRemovePadding(header, payload, out ReadOnlySpan<byte> data, out int pad))
                {
                    return Fail(out error, PaddingError(header.Type, pad));
                }

                frame = new Http2Frame(header, payload, data, -1);
                return true;
            }

            case FrameType.Headers:
            {
                if (id == 0)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError, "HEADERS on stream 0 (§6.2)"));
                }

                if (!TryRemovePadding(header, payload, out ReadOnlySpan<byte> fragment, out int pad))
                {
                    return Fail(out error, PaddingError(header.Type, pad));
                }

                int priorityOffset = -1;
                if (header.HasFlag(FrameFlags.Priority))
                {
                    if (fragment.Length < 5)
                    {
                        return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority fields (§6.2)"));
                    }

                    priorityOffset = header.HasFlag(FrameFlags.Padded) ? 1 : 0;
                    fragment = fragment[5..];
                }

                frame = new Http2Frame(header, payload, fragment, priorityOffset);
                return true;
            }

            case FrameType.Priority:
                if (id == 0)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0 (§6.3)"));
                }

                if (payload.Length != 5)
                {
                    return Fail(out error, FrameError.Stream(id, Http2ErrorCode.FrameSizeError, "PRIORITY payload is not 5 octets (§6.3)"));
                }

                frame = new Http2Frame(header, payload, payload, 0);
                return frame.IsSelfDependent
                    ? Fail(out error, FrameError.Stream(id, Http2ErrorCode.ProtocolError, "stream depends on itself (§5.3.1)"))
                    : true;

            case FrameType.RstStream:
                return Check(header, payload, out frame, out error,
                    id == 0 ? FrameError.Connection(Http2ErrorCode.ProtocolError, "RST_STREAM on stream 0 (§6.4)")
                    : payload.Length != 4 ? FrameError.Connection(Http2ErrorCode.FrameSizeError, "RST_STREAM payload is not 4 octets (§6.4)")
                    : null);

            case FrameType.Settings:
                return Check(header, payload, out frame, out error,
                    id != 0 ? FrameError.Connection(Http2ErrorCode.ProtocolError, "SETTINGS on a stream (§6.5)")
                    : header.HasFlag(FrameFlags.Ack) && payload.Length != 0 ? FrameError.Connection(Http2ErrorCode.FrameSizeError, "SETTINGS ACK with a payload (§6.5)")
                    : payload.Length % 6 != 0 ? FrameError.Connection(Http2ErrorCode.FrameSizeError, "SETTINGS payload is not a multiple of 6 octets (§6.5)")
                    : null);

            case FrameType.PushPromise:
            {
                if (id == 0)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError, "PUSH_PROMISE on stream 0 (§6.6)"));
                }

                if (!TryRemovePadding(header, payload, out ReadOnlySpan<byte> content, out int pad))
                {
                    return Fail(out error, PaddingError(header.Type, pad));
                }

                if (content.Length < 4)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError, "PUSH_PROMISE too short for the promised stream id (§6.6)"));
                }

                frame = new Http2Frame(header, payload, content[4..], -1);
                return true;
            }

            case FrameType.Ping:
                return Check(header, payload, out frame, out error,
                    id != 0 ? FrameError.Connection(Http2ErrorCode.ProtocolError, "PING on a stream (§6.7)")
                    : payload.Length != Http2Constants.PingPayloadLength ? FrameError.Connection(Http2ErrorCode.FrameSizeError, "PING payload is not 8 octets (§6.7)")
                    : null);

            case FrameType.GoAway:
                if (id != 0)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.ProtocolError, "GOAWAY on a stream (§6.8)"));
                }

                if (payload.Length < 8)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError, "GOAWAY payload shorter than 8 octets (§6.8)"));
                }

                frame = new Http2Frame(header, payload, payload[8..], -1);
                return true;

            case FrameType.WindowUpdate:
                if (payload.Length != 4)
                {
                    return Fail(out error, FrameError.Connection(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE payload is not 4 octets (§6.9)"));
                }

                frame = new Http2Frame(header, payload, payload, -1);
                if (frame.WindowIncrement == 0)
                {
                    return Fail(out error, id == 0
                        ? FrameError.Connection(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE with a zero increment (§6.9)")
                        : FrameError.Stream(id, Http2ErrorCode.ProtocolError, "WINDOW_UPDATE with a zero increment (§6.9)"));
                }

                return true;

            case FrameType.Continuation:
                return Check(header, payload, out frame, out error,
                    id == 0 ? FrameError.Connection(Http2ErrorCode.ProtocolError, "CONTINUATION on stream 0 (§6.10)") : null);

            default:
                frame = new Http2Frame(header, payload, payload, -1);
                return true;
        }
    }

    private static bool Check(FrameHeader header, ReadOnlySpan<byte> payload, out Http2Frame frame, out FrameError error, FrameError? problem)
    {
        frame = new Http2Frame(header, payload, payload, -1);
        error = problem ?? default;
        return problem is null;
    }

    private static bool Fail(out FrameError error, FrameError problem)
    {
        error = problem;
        return false;
    }

    private static FrameError PaddingError(FrameType type, int padLength) => padLength < 0
        ? FrameError.Connection(Http2ErrorCode.FrameSizeError, $"padded {type} without a Pad Length field")
        : FrameError.Connection(Http2ErrorCode.ProtocolError, $"{type} padding of {padLength} octets is not shorter than the payload (§6.1)");
}
