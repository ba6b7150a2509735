using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Interop.Tests.Defences;

// The reading half: frames are read only when a test asks, one at a time, from the client's own buffer.
public sealed partial class WireClient
{
    private readonly HPackDecoder _decoder = new(Http2Constants.DefaultHeaderTableSize, 1024 * 1024);
    private readonly List<WireFrame> _received = [];
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private MemoryStream? _block;
    private FrameHeader _blockHeader;
    private string? _closeReason;

    /// <summary>Every frame read so far, in order.</summary>
    public IReadOnlyList<WireFrame> Received => _received;

    /// <summary>Null while open; <c>EOF</c> or the read error once the connection has ended.</summary>
    public string? CloseReason => _closeReason;

    /// <summary>
    /// The next frame, or null when the connection ended (EOF or reset) first. Throws <see cref="TimeoutException"/>
    /// when neither happens within <paramref name="timeout"/>.
    /// </summary>
    public async Task<WireFrame?> ReadFrameAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_closeReason is not null)
            {
                return null;
            }

            if (TryTakeFrame(out FrameHeader header, out byte[] payload))
            {
                WireFrame? frame = await OnFrameAsync(header, payload);
                if (frame is not null)
                {
                    return frame;
                }

                continue; // a CONTINUATION-in-progress: read on
            }

            try
            {
                if (!await FillAsync(deadline.Token))
                {
                    _closeReason = "EOF";
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Nothing more within {timeout.TotalSeconds:0.#} s. {Describe()}");
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                _closeReason = ex.GetType().Name + ": " + (ex.InnerException?.Message ?? ex.Message);
            }
        }
    }

    /// <summary>Reads until a frame matches, within <paramref name="timeout"/>; a close or the bound is an exception naming what was read.</summary>
    public async Task<WireFrame> ReadUntilAsync(Func<WireFrame, bool> match, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            WireFrame? frame = await ReadFrameAsync(Left(deadline));
            if (frame is null)
            {
                throw new IOException($"The connection closed ({_closeReason}) before the frame awaited. {Describe()}");
            }

            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Reads until the server closes the connection (EOF or reset), within <paramref name="timeout"/>.</summary>
    public async Task<ConnectionEnd> ReadUntilClosedAsync(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var frames = new List<WireFrame>();
        while (await ReadFrameAsync(Left(deadline)) is { } frame)
        {
            frames.Add(frame);
        }

        return new ConnectionEnd(frames, _closeReason!);
    }

    /// <summary>
    /// A stream's response up to its END_STREAM or RST_STREAM: status (0 if reset before HEADERS), body, reset code.
    /// Frames of the stream read earlier (while waiting for something else) count too.
    /// </summary>
    public async Task<(int Status, byte[] Body, Http2ErrorCode? Reset)> ReadResponseAsync(int streamId, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        int status = 0;
        var body = new MemoryStream();
        for (int seen = 0; ; seen++)
        {
            while (seen == _received.Count)
            {
                if (await ReadFrameAsync(Left(deadline)) is null)
                {
                    throw new IOException($"The connection closed ({_closeReason}) before stream {streamId} ended. {Describe()}");
                }
            }

            WireFrame frame = _received[seen];
            if (frame.StreamId != streamId)
            {
                continue;
            }

            switch (frame.Type)
            {
                case FrameType.RstStream:
                    return (status, body.ToArray(), frame.ErrorCode);
                case FrameType.Headers when status == 0:
                    status = frame.Status;
                    break;
                case FrameType.Data:
                    body.Write(frame.Payload);
                    break;
            }

            if (frame.EndStream)
            {
                return (status, body.ToArray(), null);
            }
        }
    }

    /// <summary>The last frames read, for failure messages.</summary>
    public string Describe(int last = 12) =>
        $"Read {_received.Count} frame(s){(_closeReason is null ? "" : ", then closed (" + _closeReason + ")")}; last: "
        + string.Join(" | ", _received.TakeLast(last));

    private static TimeSpan Left(long deadline) => TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64));

    private bool TryTakeFrame(out FrameHeader header, out byte[] payload)
    {
        header = default;
        payload = [];
        if (_end - _start < Http2Constants.FrameHeaderLength)
        {
            return false;
        }

        header = FrameHeader.Read(_buffer.AsSpan(_start));
        if (_end - _start < Http2Constants.FrameHeaderLength + header.PayloadLength)
        {
            return false;
        }

        payload = _buffer.AsSpan(_start + Http2Constants.FrameHeaderLength, header.PayloadLength).ToArray();
        _start += Http2Constants.FrameHeaderLength + header.PayloadLength;
        return true;
    }

    /// <summary>Reads more octets; false at EOF.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }

    /// <summary>Records a frame and does what reading owes the server; null while a header block is still open.</summary>
    private async Task<WireFrame?> OnFrameAsync(FrameHeader header, byte[] payload)
    {
        WireFrame frame;
        switch (header.Type)
        {
            case FrameType.Headers:
            {
                int skip = (header.HasFlag(FrameFlags.Padded) ? 1 : 0) + (header.HasFlag(FrameFlags.Priority) ? 5 : 0);
                int pad = header.HasFlag(FrameFlags.Padded) ? payload[0] : 0;
                _block = new MemoryStream();
                _block.Write(payload, skip, payload.Length - skip - pad);
                _blockHeader = header;
                if (!header.HasFlag(FrameFlags.EndHeaders))
                {
                    return null;
                }

                frame = CompleteBlock();
                break;
            }

            case FrameType.Continuation when _block is not null:
                _block.Write(payload);
                if (!header.HasFlag(FrameFlags.EndHeaders))
                {
                    return null;
                }

                frame = CompleteBlock();
                break;

            case FrameType.Settings when !header.HasFlag(FrameFlags.Ack) && AckSettings:
                frame = new WireFrame(header.Type, header.Flags, header.StreamId, payload);
                await ReplyAsync(FrameWriter.WriteSettingsAck);
                break;

            case FrameType.Ping when !header.HasFlag(FrameFlags.Ack):
            {
                frame = new WireFrame(header.Type, header.Flags, header.StreamId, payload);
                ulong opaque = BinaryPrimitives.ReadUInt64BigEndian(payload);
                await ReplyAsync(output => FrameWriter.WritePing(output, opaque, ack: true));
                break;
            }

            case FrameType.Data:
                frame = new WireFrame(header.Type, header.Flags, header.StreamId, payload);
                if (AutoWindowUpdate && payload.Length > 0)
                {
                    bool stream = !header.HasFlag(FrameFlags.EndStream);
                    await ReplyAsync(output =>
                    {
                        FrameWriter.WriteWindowUpdate(output, 0, payload.Length);
                        if (stream)
                        {
                            FrameWriter.WriteWindowUpdate(output, header.StreamId, payload.Length);
                        }
                    });
                }

                break;

            default:
                frame = new WireFrame(header.Type, header.Flags, header.StreamId, payload);
                break;
        }

        _received.Add(frame);
        return frame;
    }

    private WireFrame CompleteBlock()
    {
        byte[] block = _block!.ToArray();
        _block = null;
        var fields = new FieldList();
        _decoder.Decode(block, fields);
        return new WireFrame(FrameType.Headers, _blockHeader.Flags | FrameFlags.EndHeaders, _blockHeader.StreamId, block, fields.Fields);
    }

    private sealed class FieldList : IHeaderFieldSink
    {
        public List<KeyValuePair<string, string>> Fields { get; } = [];

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Fields.Add(new(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
    }
}
