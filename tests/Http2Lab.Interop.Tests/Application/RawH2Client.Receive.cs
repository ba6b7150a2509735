using System.Threading.Channels;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

// The receiving half: the background read loop, per-stream queues and bounded reads.
internal sealed partial class RawH2Client
{
    /// <summary>The next frame on <paramref name="streamId"/> (0: connection frames), waiting at most <paramref name="timeout"/>.</summary>
    public async Task<Frame> ReadFrameAsync(int streamId, TimeSpan? timeout = null)
    {
        TimeSpan bound = timeout ?? DefaultTimeout;
        Frame? frame = await TryReadFrameAsync(streamId, bound);
        return frame ?? throw new TimeoutException($"No frame on stream {streamId} within {bound.TotalMilliseconds} ms. {Describe()}");
    }

    /// <summary>
    /// The next frame on <paramref name="streamId"/>, or null when none arrives within <paramref name="quiet"/>
    /// (for "nothing more is sent" checks). A closed connection is an <see cref="IOException"/>, not silence.
    /// </summary>
    public async Task<Frame?> TryReadFrameAsync(int streamId, TimeSpan quiet)
    {
        Channel<Frame> queue = Queue(streamId);
        using var cts = new CancellationTokenSource(quiet);
        try
        {
            return await queue.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            throw new IOException($"The connection closed while reading stream {streamId}. {Describe()}");
        }
    }

    /// <summary>
    /// Reads <paramref name="streamId"/>'s frames until END_STREAM or RST_STREAM, skipping WINDOW_UPDATEs,
    /// all within <paramref name="timeout"/>.
    /// </summary>
    public async Task<RawResponse> ReadResponseAsync(int streamId, TimeSpan? timeout = null)
    {
        TimeSpan bound = timeout ?? DefaultTimeout;
        long deadline = Environment.TickCount64 + (long)bound.TotalMilliseconds;
        var frames = new List<Frame>();
        while (true)
        {
            TimeSpan left = TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64));
            Frame? frame = await TryReadFrameAsync(streamId, left);
            if (frame is null)
            {
                throw new TimeoutException(
                    $"Response on stream {streamId} incomplete after {bound.TotalMilliseconds} ms; so far: {string.Join(" | ", frames)}. {Describe()}");
            }

            if (frame.Type == FrameType.WindowUpdate)
            {
                continue;
            }

            frames.Add(frame);
            if (frame.EndStream || frame.Type == FrameType.RstStream)
            {
                return new RawResponse(streamId, frames);
            }
        }
    }

    /// <summary>The last frames received and the connection state, for assertion messages.</summary>
    public string Describe(int last = 12)
    {
        Frame[] frames = [.. _received];
        string state = _closed.Task.IsCompleted ? $"connection closed: {_closed.Task.Result}" : "connection open";
        return $"{state}; last {Math.Min(last, frames.Length)} of {frames.Length} frames received: "
               + string.Join(" | ", frames.TakeLast(last));
    }

    private Channel<Frame> Queue(int streamId)
    {
        lock (_sync)
        {
            if (!_queues.TryGetValue(streamId, out Channel<Frame>? queue))
            {
                _queues[streamId] = queue = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleWriter = true });
                if (_isClosed)
                {
                    queue.Writer.TryComplete();
                }
            }

            return queue;
        }
    }

    private async Task ReadLoopAsync()
    {
        string reason = "EOF";
        var input = new FrameBuffer();
        try
        {
            while (await input.ReadAsync(_stream) is { } received)
            {
                if (_headerBlocks.Add(received) is { } frame)
                {
                    await OnFrameAsync(frame);
                }
            }
        }
        catch (Exception ex)
        {
            reason = ex.GetType().Name + ": " + ex.Message;
        }
        finally
        {
            lock (_sync)
            {
                _isClosed = true;
                foreach (Channel<Frame> queue in _queues.Values)
                {
                    queue.Writer.TryComplete();
                }
            }

            _serverSettings.TrySetException(new IOException("The connection closed before the server's SETTINGS: " + reason));
            _closed.TrySetResult(reason);
        }
    }

    /// <summary>Delivers a frame (a HEADERS frame stands for its whole block) and does what receiving it owes the server.</summary>
    private async Task OnFrameAsync(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Settings when frame.IsAck:
                Deliver(frame);
                _settingsAcknowledged.TrySetResult();
                break;

            case FrameType.Settings:
            {
                int? tableSize = null;
                lock (_sync)
                {
                    foreach ((SettingsParameter id, uint value) in frame.Settings)
                    {
                        if (id == SettingsParameter.InitialWindowSize)
                        {
                            _peerInitialWindowSize = (int)value; // §6.9.2: applies to every stream's window
                        }
                        else if (id == SettingsParameter.MaxFrameSize)
                        {
                            _peerMaxFrameSize = (int)value;
                        }
                        else if (id == SettingsParameter.HeaderTableSize)
                        {
                            tableSize = (int)Math.Min(value, int.MaxValue);
                        }
                    }
                }

                await WriteAsync(output =>
                {
                    if (tableSize is { } size)
                    {
                        _client.Encoder.SetPeerMaxTableSize(size);
                    }

                    FrameWriter.WriteSettingsAck(output);
                });
                Deliver(frame);
                _serverSettings.TrySetResult(frame);
                break;
            }

            case FrameType.Ping:
                if (!frame.IsAck)
                {
                    ulong opaque = frame.PingData;
                    await WriteAsync(output => FrameWriter.WritePing(output, opaque, ack: true));
                }

                Deliver(frame);
                break;

            case FrameType.WindowUpdate:
                lock (_sync)
                {
                    if (frame.StreamId == 0)
                    {
                        _connectionSendWindow += frame.Increment;
                    }
                    else
                    {
                        (long sent, long credited) = _streamSendWindows.GetValueOrDefault(frame.StreamId);
                        _streamSendWindows[frame.StreamId] = (sent, credited + frame.Increment);
                    }
                }

                Deliver(frame);
                break;

            case FrameType.Data:
            {
                Deliver(frame);
                int length = frame.Payload.Length; // padding included: what the window was charged
                if (_autoWindowUpdate && length > 0)
                {
                    bool creditStream;
                    lock (_sync)
                    {
                        creditStream = !frame.EndStream && !_resetByUs.Contains(frame.StreamId);
                    }

                    await WriteAsync(output =>
                    {
                        FrameWriter.WriteWindowUpdate(output, 0, length);
                        if (creditStream)
                        {
                            FrameWriter.WriteWindowUpdate(output, frame.StreamId, length);
                        }
                    });
                }

                break;
            }

            default:
                // HEADERS, RST_STREAM, GOAWAY, PRIORITY, PUSH_PROMISE (a protocol error from a server; left for the test to see) ...
                Deliver(frame);
                break;
        }
    }

    private void Deliver(Frame frame)
    {
        _received.Enqueue(frame);
        Queue(frame.StreamId).Writer.TryWrite(frame);
    }
}
