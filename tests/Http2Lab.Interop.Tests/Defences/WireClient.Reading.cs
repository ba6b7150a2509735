using System.Net.Sockets;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

// The reading half: frames are read only when a test asks, one at a time, from the client's own buffer.
internal sealed partial class WireClient
{
    private readonly FrameBuffer _input = new();
    private readonly HeaderBlockDecoder _headerBlocks = new();
    private readonly List<Frame> _received = [];
    private string? _closeReason;

    /// <summary>Every frame read so far, in order.</summary>
    public IReadOnlyList<Frame> Received => _received;

    /// <summary>Null while open; <c>EOF</c> or the read error once the connection has ended.</summary>
    public string? CloseReason => _closeReason;

    /// <summary>
    /// The next frame, or null when the connection ended (EOF or reset) first. Throws <see cref="TimeoutException"/>
    /// when neither happens within <paramref name="timeout"/>.
    /// </summary>
    public async Task<Frame?> ReadFrameAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_closeReason is not null)
            {
                return null;
            }

            if (_input.TryRead(out Frame? received))
            {
                Frame? frame = await OnFrameAsync(received);
                if (frame is not null)
                {
                    return frame;
                }

                continue; // a header block still awaiting CONTINUATION: read on
            }

            try
            {
                if (!await _input.FillAsync(_stream, deadline.Token))
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
    public async Task<Frame> ReadUntilAsync(Func<Frame, bool> match, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            Frame? frame = await ReadFrameAsync(Left(deadline));
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
        var frames = new List<Frame>();
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

            Frame frame = _received[seen];
            if (frame.StreamId != streamId)
            {
                continue;
            }

            switch (frame.Type)
            {
                case FrameType.RstStream:
                    return (status, body.ToArray(), frame.ErrorCode);
                case FrameType.Headers when status == 0:
                    status = int.TryParse(frame.Status, out int parsed) ? parsed : 0;
                    break;
                case FrameType.Data:
                    body.Write(frame.Content);
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

    /// <summary>Records a frame and does what reading owes the server; null while a header block is still open.</summary>
    private async Task<Frame?> OnFrameAsync(Frame received)
    {
        if (_headerBlocks.Add(received) is not { } frame)
        {
            return null;
        }

        switch (frame.Type)
        {
            case FrameType.Settings when !frame.IsAck && AckSettings:
                await ReplyAsync(FrameWriter.WriteSettingsAck);
                break;

            case FrameType.Ping when !frame.IsAck:
            {
                ulong opaque = frame.PingData;
                await ReplyAsync(output => FrameWriter.WritePing(output, opaque, ack: true));
                break;
            }

            case FrameType.Data when AutoWindowUpdate && frame.Payload.Length > 0:
            {
                int length = frame.Payload.Length;
                await ReplyAsync(output =>
                {
                    FrameWriter.WriteWindowUpdate(output, 0, length);
                    if (!frame.EndStream)
                    {
                        FrameWriter.WriteWindowUpdate(output, frame.StreamId, length);
                    }
                });
                break;
            }
        }

        _received.Add(frame);
        return frame;
    }
}
