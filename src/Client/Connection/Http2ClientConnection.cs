using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Http2Lab.Client.Connection;

/// <summary>
/// The driver of one client connection: an <see cref="Http2ClientSession"/> behind a lock, a read loop that feeds it
/// what the transport delivers, and a write loop that sends everything it queued since the last write in one write
/// (the server's one-write-per-batch rule). The session's callbacks go to the request's <see cref="ClientExchange"/>.
/// </summary>
internal sealed class Http2ClientConnection : IHttp2ClientSessionHandler, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Stream _transport;
    private readonly Socket _socket;
    private readonly Http2ClientSession _session;
    private readonly Dictionary<int, ClientExchange> _exchanges = [];
    private readonly Dictionary<ulong, (TaskCompletionSource<TimeSpan> Done, long SentAt)> _pings = [];
    private ulong _lastPing;
    private readonly AsyncSignal _output = new();
    private readonly Http2ClientOptions _options;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private readonly Task _writeLoop;
    private bool _prefaceTraced;
    private int _disposed;

    public Http2ClientConnection(Socket socket, Stream transport, string scheme, string authority, Http2ClientOptions options)
    {
        _socket = socket;
        _transport = transport;
        Scheme = scheme;
        Authority = authority;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _session = new Http2ClientSession(options.Limits, this, _logger) { OwnerCheck = () => _gate.IsHeldByCurrentThread };
        if (options.FrameTrace is { } trace)
        {
            _session.FrameReceived = header => trace("recv " + header);
        }

        lock (_gate)
        {
            _session.Start();
        }

        _writeLoop = Task.Run(WriteLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
        _output.Set();
    }

    public string Scheme { get; }

    public string Authority { get; }

    /// <summary>New requests may start here.</summary>
    public bool IsUsable
    {
        get
        {
            lock (_gate)
            {
                return !_session.IsDraining;
            }
        }
    }

    /// <summary>Completes when the transport has closed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Starts <paramref name="request"/>; null when the connection takes no new stream (draining).</summary>
    public ClientExchange? TryStart(Http2ClientRequest request, bool endStream, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var exchange = new ClientExchange(this, _options.AutomaticDecompression);
        string path = request.Url.PathAndQuery;
        var head = new Http2ClientRequestHead(request.Method.ToUpperInvariant(), Scheme, Authority, path.Length == 0 ? "/" : path, headers);
        lock (_gate)
        {
            int id = _session.SubmitRequest(head, endStream);
            if (id == 0)
            {
                return null;
            }

            exchange.StreamId = id;
            _exchanges[id] = exchange;
        }

        _output.Set();
        return exchange;
    }

    public int Write(int streamId, ReadOnlySpan<byte> data, out bool alive)
    {
        int accepted;
        lock (_gate)
        {
            alive = _session.TryWriteData(streamId, data, endStream: false, out accepted);
        }

        _output.Set();
        return accepted;
    }

    public void EndRequest(int streamId, IReadOnlyList<KeyValuePair<string, string>>? trailers)
    {
        lock (_gate)
        {
            _session.EndRequest(streamId, trailers);
        }

        _output.Set();
    }

    public void Acknowledge(int streamId, int octets)
    {
        lock (_gate)
        {
            _session.AcknowledgeData(streamId, octets);
        }

        _output.Set();
    }

    public void Reset(int streamId, Http2ErrorCode errorCode)
    {
        lock (_gate)
        {
            _session.ResetStream(streamId, errorCode);
            _exchanges.Remove(streamId);
        }

        _output.Set();
    }

    /// <summary>
    /// Sends a PING (§6.7) and completes with the time until its acknowledgement arrived: the connection's round trip,
    /// as the server's HTTP/2 stack sees it (queued behind whatever the connection was already sending).
    /// </summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        ulong opaque;
        lock (_gate)
        {
            opaque = ++_lastPing;
            if (!_session.SendPing(opaque))
            {
                throw new Http2ClientException($"PING to {Authority}: the connection is closed ({_session.CloseReason})");
            }

            _pings[opaque] = (done, Stopwatch.GetTimestamp());
        }

        _output.Set();
        using (cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _pings.Remove(opaque);
            }

            done.TrySetCanceled(cancellationToken);
        }))
        {
            return await done.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Graceful close (§6.8): GOAWAY, the streams in flight finish (bounded by <paramref name="timeout"/>), then the transport closes.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        lock (_gate)
        {
            _session.SendGoAway();
        }

        _output.Set();
        await Task.WhenAny(_closed.Task, Task.Delay(timeout)).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            _session.OnTransportClosed("the client closed the connection");
        }

        CloseTransport();
        _output.Set();
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        lock (_gate)
        {
            _session.Dispose();
        }
    }

    private void CloseTransport()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _transport.Dispose();
        _socket.Dispose();
        FailPings();
        _closed.TrySetResult();
    }

    private void FailPings()
    {
        (TaskCompletionSource<TimeSpan> Done, long SentAt)[] waiting;
        string? reason;
        lock (_gate)
        {
            waiting = [.. _pings.Values];
            _pings.Clear();
            reason = _session.CloseReason;
        }

        foreach (var (done, _) in waiting)
        {
            done.TrySetException(new Http2ClientException($"PING to {Authority}: the connection closed before the server acknowledged it ({reason ?? "closed"})"));
        }
    }

    private async Task ReadLoopAsync()
    {
        PipeReader reader = PipeReader.Create(_transport, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        string reason = "the server closed the connection";
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool completed;
                lock (_gate)
                {
                    long consumed = _session.Receive(buffer);
                    reader.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                    completed = _session.IsCompleted;
                }

                _output.Set();
                if (result.IsCompleted || completed)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            reason = "the connection failed: " + ex.Message;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        lock (_gate)
        {
            // When the session completed on its own (GOAWAY, connection error) this is a no-op.
            if (!_session.IsCompleted)
            {
                _session.OnTransportClosed(reason);
            }
        }

        _output.Set();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new PooledBuffer();
        try
        {
            while (true)
            {
                await _output.WaitAsync().ConfigureAwait(false);
                bool completed;
                while (true)
                {
                    lock (_gate)
                    {
                        _session.DrainOutputTo(batch);
                        completed = _session.IsCompleted;
                    }

                    if (batch.IsEmpty)
                    {
                        break;
                    }

                    TraceOutgoing(batch.WrittenSpan);
                    await _transport.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                    await _transport.FlushAsync().ConfigureAwait(false);
                    batch.Clear();
                }

                if (completed || Volatile.Read(ref _disposed) != 0)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or NotSupportedException)
        {
            ClientLog.WriteFailed(_logger, Authority, ex.Message);
        }
        finally
        {
            batch.Dispose();
            CloseTransport();
        }
    }

    private void TraceOutgoing(ReadOnlySpan<byte> batch)
    {
        if (_options.FrameTrace is not { } trace)
        {
            return;
        }

        if (!_prefaceTraced && batch.StartsWith(Http2Constants.ClientPreface))
        {
            _prefaceTraced = true;
            trace("send connection preface");
            batch = batch[Http2Constants.ClientPreface.Length..];
        }

        while (batch.Length >= Http2Constants.FrameHeaderLength)
        {
            FrameHeader header = FrameHeader.Read(batch);
            trace("send " + header);
            batch = batch[Math.Min(batch.Length, Http2Constants.FrameHeaderLength + header.PayloadLength)..];
        }
    }

    private ClientExchange? Find(int streamId) => _exchanges.GetValueOrDefault(streamId);

    // ---- IHttp2ClientSessionHandler (lock held) ----

    void IHttp2ClientSessionHandler.OnResponse(int streamId, int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        ClientExchange? exchange = Find(streamId);
        if (endStream)
        {
            _exchanges.Remove(streamId);
        }

        exchange?.OnResponse(status, headers, endStream);
    }

    void IHttp2ClientSessionHandler.OnResponseData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        ClientExchange? exchange = Find(streamId);
        if (exchange is null)
        {
            _session.AcknowledgeData(streamId, data.Length); // nobody reads it: give the credit back
            return;
        }

        if (endStream)
        {
            _exchanges.Remove(streamId);
        }

        exchange.OnData(data, endStream);
    }

    void IHttp2ClientSessionHandler.OnResponseTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        if (_exchanges.Remove(streamId, out ClientExchange? exchange))
        {
            exchange.OnTrailers(trailers);
        }
    }

    void IHttp2ClientSessionHandler.OnStreamReset(int streamId, Http2ErrorCode errorCode, bool refused)
    {
        if (!_exchanges.Remove(streamId, out ClientExchange? exchange))
        {
            return;
        }

        string message = refused
            ? $"the request on stream {streamId} was not processed by the server ({_session.CloseReason ?? errorCode.ToString()}); it may be retried"
            : _session.CloseReason is { } reason && errorCode != Http2ErrorCode.NoError && _session.IsCompleted
                ? $"stream {streamId} ended because the connection did: {reason}"
                : $"stream {streamId} was reset: {errorCode}";
        exchange.OnReset(new Http2ClientException(message, errorCode, refused));
    }

    void IHttp2ClientSessionHandler.OnStreamWritable(int streamId) => Find(streamId)?.OnWritable();

    void IHttp2ClientSessionHandler.OnPingAck(ulong opaqueData)
    {
        // An ACK of a PING we did not send (or one given up on) is not ours to report (§6.7 leaves it to us).
        if (_pings.Remove(opaqueData, out var ping))
        {
            ping.Done.TrySetResult(Stopwatch.GetElapsedTime(ping.SentAt));
        }
    }

    void IHttp2ClientSessionHandler.OnGoAway(int lastStreamId, Http2ErrorCode errorCode, string debugData) =>
        ClientLog.GoAway(_logger, Authority, lastStreamId, errorCode, debugData);
}
