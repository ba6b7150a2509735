using System.Text;
using System.Threading.Channels;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Interop.Tests.Application;

// The receiving half: the background read loop, per-stream queues, header block decoding and bounded reads.
public sealed partial class RawH2Client
{
    /// <summary>The next frame on <paramref name="streamId"/> (0: connection frames), waiting at most <paramref name="timeout"/>.</summary>
    public async Task<RawFrame> ReadFrameAsync(int streamId, TimeSpan? timeout = null)
    {
        TimeSpan bound = timeout ?? DefaultTimeout;
        RawFrame? frame = await TryReadFrameAsync(streamId, bound);
        return frame ?? throw new TimeoutException($"No frame on stream {streamId} within {bound.TotalMilliseconds} ms. {Describe()}");
    }

    /// <summary>
    /// The next frame on <paramref name="streamId"/>, or null when none arrives within <paramref name="quiet"/>
    /// (for "nothing more is sent" checks). A closed connection is an <see cref="IOException"/>, not silence.
    /// </summary>
    public async Task<RawFrame?> TryReadFrameAsync(int streamId, TimeSpan quiet)
    {
        Channel<RawFrame> queue = Queue(streamId);
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
        var frames = new List<RawFrame>();
        while (true)
        {
            TimeSpan left = TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64));
            RawFrame? frame = await TryReadFrameAsync(streamId, left);
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
        RawFrame[] frames = [.. _received];
        string state = _closed.Task.IsCompleted ? $"connection closed: {_closed.Task.Result}" : "connection open";
        return $"{state}; last {Math.Min(last, frames.Length)} of {frames.Length} frames received: "
               + string.Join(" | ", frames.TakeLast(last));
    }

    private Channel<RawFrame> Queue(int streamId)
    {
        lock (_sync)
        {
            if (!_queues.TryGetValue(streamId, out Channel<RawFrame>? queue))
            {
                _queues[streamId] = queue = Channel.CreateUnbounded<RawFrame>(new UnboundedChannelOptions { SingleWriter = true });
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
        byte[] header = new byte[Http2Constants.FrameHeaderLength];
        try
        {
            while (true)
            {
                int read = await _stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false);
                if (read < header.Length)
                {
                    break;
                }

                FrameHeader frame = FrameHeader.Read(header);
                byte[] payload = new byte[frame.PayloadLength];
                await _stream.ReadExactlyAsync(payload);
                await OnFrameAsync(frame, payload);
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
                foreach (Channel<RawFrame> queue in _queues.Values)
                {
                    queue.Writer.TryComplete();
                }
            }

            _serverSettings.TrySetException(new IOException("The connection closed before the server's SETTINGS: " + reason));
            _closed.TrySetResult(reason);
        }
    }

    private async Task OnFrameAsync(FrameHeader header, byte[] payload)
    {
        switch (header.Type)
        {
            case FrameType.Settings when header.HasFlag(FrameFlags.Ack):
                Deliver(new RawFrame(header.Type, header.Flags, 0, payload, payload.Length));
                _settingsAcknowledged.TrySetResult();
                break;

            case FrameType.Settings:
            {
                var frame = new RawFrame(header.Type, header.Flags, 0, payload, payload.Length);
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
                        _encoder.SetPeerMaxTableSize(size);
                    }

                    FrameWriter.WriteSettingsAck(output);
                });
                Deliver(frame);
                _serverSettings.TrySetResult(frame);
                break;
            }

            case FrameType.Ping:
                if (!header.HasFlag(FrameFlags.Ack))
                {
                    ulong opaque = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(payload);
                    await WriteAsync(output => FrameWriter.WritePing(output, opaque, ack: true));
                }

                Deliver(new RawFrame(header.Type, header.Flags, 0, payload, payload.Length));
                break;

            case FrameType.WindowUpdate:
            {
                var frame = new RawFrame(header.Type, header.Flags, header.StreamId, payload, payload.Length);
                lock (_sync)
                {
                    if (header.StreamId == 0)
                    {
                        _connectionSendWindow += frame.Increment;
                    }
                    else
                    {
                        (long sent, long credited) = _streamSendWindows.GetValueOrDefault(header.StreamId);
                        _streamSendWindows[header.StreamId] = (sent, credited + frame.Increment);
                    }
                }

                Deliver(frame);
                break;
            }

            case FrameType.Data:
            {
                byte[] data = RemovePadding(header, payload, 0);
                Deliver(new RawFrame(header.Type, header.Flags, header.StreamId, data, payload.Length));
                if (_autoWindowUpdate && payload.Length > 0)
                {
                    bool creditStream;
                    lock (_sync)
                    {
                        creditStream = !header.HasFlag(FrameFlags.EndStream) && !_resetByUs.Contains(header.StreamId);
                    }

                    await WriteAsync(output =>
                    {
                        FrameWriter.WriteWindowUpdate(output, 0, payload.Length);
                        if (creditStream)
                        {
                            FrameWriter.WriteWindowUpdate(output, header.StreamId, payload.Length);
                        }
                    });
                }

                break;
            }

            case FrameType.Headers:
            {
                int priority = header.HasFlag(FrameFlags.Priority) ? 5 : 0;
                _block = new MemoryStream();
                _block.Write(RemovePadding(header, payload, priority));
                _blockStreamId = header.StreamId;
                _blockFlags = header.Flags;
                if (header.HasFlag(FrameFlags.EndHeaders))
                {
                    CompleteHeaderBlock();
                }

                break;
            }

            case FrameType.Continuation:
                if (_block is null || header.StreamId != _blockStreamId)
                {
                    throw new InvalidDataException($"Unexpected CONTINUATION on stream {header.StreamId}");
                }

                _block.Write(payload);
                if (header.HasFlag(FrameFlags.EndHeaders))
                {
                    CompleteHeaderBlock();
                }

                break;

            default:
                // RST_STREAM, GOAWAY, PRIORITY, PUSH_PROMISE (a protocol error from a server; left for the test to see) ...
                Deliver(new RawFrame(header.Type, header.Flags, header.StreamId, payload, payload.Length));
                break;
        }
    }

    private void CompleteHeaderBlock()
    {
        byte[] block = _block!.ToArray();
        _block = null;
        var sink = new FieldCollector();
        _decoder.Decode(block, sink);
        Deliver(new RawFrame(FrameType.Headers, _blockFlags | FrameFlags.EndHeaders, _blockStreamId, block, block.Length, sink.Fields));
    }

    private void Deliver(RawFrame frame)
    {
        _received.Enqueue(frame);
        Queue(frame.StreamId).Writer.TryWrite(frame);
    }

    private static byte[] RemovePadding(FrameHeader header, byte[] payload, int prefix)
    {
        if (!header.HasFlag(FrameFlags.Padded))
        {
            return payload[prefix..];
        }

        int padLength = payload[0];
        return payload[(1 + prefix)..(payload.Length - padLength)];
    }

    private sealed class FieldCollector : IHeaderFieldSink
    {
        public List<KeyValuePair<string, string>> Fields { get; } = [];

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
            Fields.Add(new(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
    }
}
