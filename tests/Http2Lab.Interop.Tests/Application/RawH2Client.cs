using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// A minimal HTTP/2 client over a real loopback socket (h2c, prior knowledge) that puts every frame in the
/// test's hands: it sends the preface and the SETTINGS the test chooses, acknowledges the server's SETTINGS
/// and PINGs, and otherwise sends only what the test asks for — HEADERS (through its own
/// <see cref="FrameBuilder"/> and its HPACK encoder), DATA split however the test likes, WINDOW_UPDATE, RST_STREAM. A
/// background loop reads frames into one queue per stream, decoding header blocks with a <see cref="HeaderBlockDecoder"/>.
/// With <see cref="AutoWindowUpdate"/> off the client never returns receive window on its own, so a test
/// controls exactly how much the server may send.
/// Every wait is bounded: reads take a timeout and throw <see cref="TimeoutException"/> naming the frames seen.
/// </summary>
internal sealed partial class RawH2Client : IAsyncDisposable
{
    /// <summary>Default bound for a read or write.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly FrameBuilder _client = new();
    private readonly HeaderBlockDecoder _headerBlocks = new();
    private readonly object _sync = new();
    private readonly Dictionary<int, Channel<Frame>> _queues = [];
    private readonly Dictionary<int, (long Sent, long Credited)> _streamSendWindows = [];
    private readonly HashSet<int> _resetByUs = [];
    private readonly ConcurrentQueue<Frame> _received = new();
    private readonly TaskCompletionSource<Frame> _serverSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _settingsAcknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _readLoop = Task.CompletedTask;
    private int _nextStreamId = 1;
    private long _connectionSendWindow = Http2Constants.DefaultInitialWindowSize;
    private int _peerInitialWindowSize = Http2Constants.DefaultInitialWindowSize;
    private int _peerMaxFrameSize = Http2Constants.DefaultMaxFrameSize;
    private volatile bool _autoWindowUpdate = true;
    private bool _isClosed;

    private RawH2Client(TcpClient tcp, string authority)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Authority = authority;
    }

    /// <summary>The <c>:authority</c> sent with requests, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string Authority { get; }

    /// <summary>
    /// When true (the default) every DATA frame received is credited back at once on the connection and its
    /// stream, like an eager client. When false the client never sends WINDOW_UPDATE unless the test does.
    /// </summary>
    public bool AutoWindowUpdate
    {
        get => _autoWindowUpdate;
        set => _autoWindowUpdate = value;
    }

    /// <summary>The server's SETTINGS frame (the first one).</summary>
    public Task<Frame> ServerSettings => _serverSettings.Task;

    /// <summary>Completes when the server acknowledged our SETTINGS.</summary>
    public Task SettingsAcknowledged => _settingsAcknowledged.Task;

    /// <summary>Completes with the reason when the connection has closed (EOF or error).</summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>Every frame received so far, in arrival order.</summary>
    public IReadOnlyList<Frame> ReceivedFrames => [.. _received];

    /// <summary>
    /// Connects to <paramref name="h2c"/>, sends the preface, our SETTINGS (<paramref name="settings"/>; none means
    /// an empty SETTINGS frame, i.e. protocol defaults) and, when positive, a connection WINDOW_UPDATE of
    /// <paramref name="connectionWindowIncrement"/>; then waits for the server's SETTINGS.
    /// </summary>
    public static async Task<RawH2Client> ConnectAsync(
        Uri h2c,
        IReadOnlyList<KeyValuePair<SettingsParameter, uint>>? settings = null,
        int connectionWindowIncrement = 0)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        RawH2Client? client = null;
        try
        {
            using (var connect = new CancellationTokenSource(DefaultTimeout))
            {
                await tcp.ConnectAsync(h2c.Host, h2c.Port, connect.Token);
            }

            client = new RawH2Client(tcp, $"{h2c.Host}:{h2c.Port}");
            KeyValuePair<SettingsParameter, uint>[] ours = [.. settings ?? []];
            await client.WriteAsync(output =>
            {
                output.Write(Http2Constants.ClientPreface);
                FrameWriter.WriteSettings(output, ours);
                if (connectionWindowIncrement > 0)
                {
                    FrameWriter.WriteWindowUpdate(output, 0, connectionWindowIncrement);
                }
            });
            client._readLoop = Task.Run(client.ReadLoopAsync);
            await client._serverSettings.Task.WaitAsync(DefaultTimeout);
            return client;
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
            else
            {
                tcp.Dispose();
            }

            throw;
        }
    }

    // ---- sending (receiving: RawH2Client.Receive.cs)

    /// <summary>Sends a request's HEADERS on the next client stream id and returns that id.</summary>
    public async Task<int> SendRequestAsync(string method, string path, bool endStream = true, params (string Name, string Value)[] headers)
    {
        int streamId = 0;
        await WriteAsync(output =>
        {
            streamId = _nextStreamId;
            _nextStreamId += 2;
            EncodeHeaders(output, streamId, [.. FrameBuilder.RequestFields(method, path, "http", Authority), .. headers], endStream);
        });
        return streamId;
    }

    /// <summary>Sends a header block exactly as given (any fields, any order) on <paramref name="streamId"/>: trailers, or a hand-made request.</summary>
    public Task SendHeadersAsync(int streamId, IReadOnlyList<(string Name, string Value)> fields, bool endStream)
    {
        return WriteAsync(output =>
        {
            if (streamId >= _nextStreamId)
            {
                _nextStreamId = streamId + 2;
            }

            EncodeHeaders(output, streamId, fields, endStream);
        });
    }

    /// <summary>Sends one DATA frame (at most the server's SETTINGS_MAX_FRAME_SIZE). Does not check windows: see <see cref="StreamSendWindow"/>.</summary>
    public Task SendDataAsync(int streamId, ReadOnlyMemory<byte> data, bool endStream)
    {
        if (data.Length > _peerMaxFrameSize)
        {
            throw new ArgumentException($"{data.Length} octets exceed the server's SETTINGS_MAX_FRAME_SIZE {_peerMaxFrameSize}; split the body.", nameof(data));
        }

        lock (_sync)
        {
            (long sent, long credited) = _streamSendWindows.GetValueOrDefault(streamId);
            _streamSendWindows[streamId] = (sent + data.Length, credited);
            _connectionSendWindow -= data.Length;
        }

        return WriteAsync(output => FrameWriter.WriteData(output, streamId, data.Span, endStream));
    }

    /// <summary>
    /// Sends <paramref name="body"/> as DATA frames cut at <paramref name="cuts"/> (ascending offsets strictly inside
    /// the body), each frame in its own socket write; the last frame carries END_STREAM when <paramref name="endStream"/>.
    /// </summary>
    public async Task SendDataSplitAsync(int streamId, ReadOnlyMemory<byte> body, IEnumerable<int> cuts, bool endStream)
    {
        int start = 0;
        foreach (int cut in cuts.Append(body.Length))
        {
            if (cut <= start || cut > body.Length)
            {
                throw new ArgumentException($"cut {cut} is not after {start} and within {body.Length}", nameof(cuts));
            }

            await SendDataAsync(streamId, body[start..cut], endStream && cut == body.Length);
            start = cut;
        }

        if (body.IsEmpty && endStream)
        {
            await SendDataAsync(streamId, ReadOnlyMemory<byte>.Empty, endStream: true);
        }
    }

    /// <summary>Sends a SETTINGS frame (the server acknowledges it; see <see cref="Frame.IsAck"/> on stream 0).</summary>
    public Task SendSettingsAsync(params KeyValuePair<SettingsParameter, uint>[] settings) =>
        WriteAsync(output => FrameWriter.WriteSettings(output, settings));

    /// <summary>Sends a PING; the server's ACK arrives on stream 0.</summary>
    public Task SendPingAsync(ulong opaque) =>
        WriteAsync(output => FrameWriter.WritePing(output, opaque, ack: false));

    public Task SendWindowUpdateAsync(int streamId, int increment) =>
        WriteAsync(output => FrameWriter.WriteWindowUpdate(output, streamId, increment));

    public Task SendRstStreamAsync(int streamId, Http2ErrorCode errorCode)
    {
        lock (_sync)
        {
            _resetByUs.Add(streamId);
        }

        return WriteAsync(output => FrameWriter.WriteRstStream(output, streamId, errorCode));
    }

    /// <summary>Sends a request and reads its whole response.</summary>
    public async Task<RawResponse> SendAndReadAsync(string method, string path, params (string Name, string Value)[] headers)
    {
        int streamId = await SendRequestAsync(method, path, endStream: true, headers);
        return await ReadResponseAsync(streamId);
    }

    /// <summary>How much DATA the server's window for <paramref name="streamId"/> still allows us to send.</summary>
    public long StreamSendWindow(int streamId)
    {
        lock (_sync)
        {
            (long sent, long credited) = _streamSendWindows.GetValueOrDefault(streamId);
            return _peerInitialWindowSize + credited - sent;
        }
    }

    /// <summary>How much DATA the server's connection window still allows us to send.</summary>
    public long ConnectionSendWindow
    {
        get
        {
            lock (_sync)
            {
                return _connectionSendWindow;
            }
        }
    }

    private void EncodeHeaders(ArrayBufferWriter<byte> output, int streamId, IReadOnlyList<(string Name, string Value)> fields, bool endStream) =>
        FrameWriter.WriteHeaders(output, streamId, _client.HeaderBlock([.. fields]), endStream, _peerMaxFrameSize);

    /// <summary>Builds frames under the write lock (so HPACK state and stream ids follow wire order) and writes them in one socket write.</summary>
    private async Task WriteAsync(Action<ArrayBufferWriter<byte>> build)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        if (!await _writeLock.WaitAsync(DefaultTimeout))
        {
            throw new TimeoutException($"Another write held the connection for {DefaultTimeout.TotalSeconds} s. {Describe()}");
        }

        try
        {
            var output = new ArrayBufferWriter<byte>();
            build(output);
            await _stream.WriteAsync(output.WrittenMemory, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"Writing to the server did not complete within {DefaultTimeout.TotalSeconds} s. {Describe()}");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        try
        {
            await _readLoop.WaitAsync(DefaultTimeout);
        }
        catch (TimeoutException)
        {
            // The socket is closed; the loop will end on its own.
        }
    }
}
