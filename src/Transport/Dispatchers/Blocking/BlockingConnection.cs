using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Sockets;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Blocking;

/// <summary>
/// One connection run on one thread with blocking socket I/O (and <see cref="SslStream"/>'s synchronous API for
/// TLS): read, hand the octets to the processor, write what it produced, repeat. Work that finishes on other
/// threads (a handler that awaited) enters the processor's <see cref="LockGate"/> and writes its output itself,
/// one writer at a time, so frames are never interleaved.
/// </summary>
internal sealed partial class BlockingConnection
{
    private const int InitialReadBuffer = 32 * 1024;
    private static readonly TimeSpan CloseNotifyTimeout = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly EndpointContext _endpoint;
    private readonly ILogger _logger;
    private readonly LockGate _gate;
    private readonly Lock _writeLock = new();
    private readonly ArrayBufferWriter<byte> _writeBuffer = new(16 * 1024);
    private readonly ManualResetEventSlim _completed = new();
    private readonly string _remote;

    // Kept from the start: the socket's own getters throw once it is disposed, and a connection stays listed
    // (GetConnections) for a moment after its socket closed.
    private readonly System.Net.EndPoint? _remoteEndPoint;
    private readonly System.Net.EndPoint? _localEndPoint;
    private Stream? _stream;
    private IConnectionProcessor? _processor;
    private Thread? _thread;
    private readonly Func<bool>? _othersWaiting;
    private volatile bool _closed;
    private bool _yielded;
    private long _lastInputAt = Environment.TickCount64;

    /// <summary>How long a client must have sent nothing, with nothing in flight, before it yields to another.</summary>
    internal static readonly TimeSpan YieldAfter = TimeSpan.FromMilliseconds(500);

    public BlockingConnection(Socket socket, EndpointContext endpoint, ILogger logger, Func<bool>? othersWaiting = null)
    {
        _othersWaiting = othersWaiting;
        _socket = socket;
        _endpoint = endpoint;
        _logger = logger;
        _gate = new LockGate(OnGateExit, startInline: true);
        _remoteEndPoint = socket.RemoteEndPoint;
        _localEndPoint = socket.LocalEndPoint;
        _remote = Sockets.EndPointText.Describe(_remoteEndPoint);
        Id = ConnectionIds.Next(endpoint.Options.Dispatcher == DispatcherRegistry.SingleClient ? "SC" : "TC");
    }

    public string Id { get; }

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    public bool CloseRequested { get; private set; }

    public DispatcherConnectionInfo ToInfo() =>
        new(Id, _remoteEndPoint, _localEndPoint, ConnectedAt, CloseRequested) { Thread = _thread?.Name };

    /// <summary>Runs the connection to its end on the calling thread.</summary>
    public void Run()
    {
        _thread = Thread.CurrentThread;
        long openedAt = _endpoint.Observer.Opened(Id, _remote);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialReadBuffer);
        try
        {
            ListenSocket.TrySetNoDelay(_socket, _endpoint.Options.NoDelay);
            var features = new FeatureCollection();
            features.Set<IConnectionSocketFeature>(new SocketFeature(_socket));
            _stream = _endpoint.Tls is { } tls ? Handshake(tls, features) : new NetworkStream(_socket, ownsSocket: false);
            if (_stream is null)
            {
                return;
            }

            _gate.TryEnter();
            try
            {
                _processor = _endpoint.CreateProcessor(new ProcessorContext(Id, _remoteEndPoint, _localEndPoint, _gate, features));
            }
            finally
            {
                _gate.ExitQuietly();
            }

            FlushOutput(); // a protocol may speak first
            Loop(ref buffer);
        }
        catch (Exception ex) when (IsNetworkEnd(ex))
        {
            LogEnded(_logger, Id, ex.Message);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, _endpoint.Name, Id, ex);
        }
        finally
        {
            Close();
            ArrayPool<byte>.Shared.Return(buffer);
            _endpoint.Observer.Closed(Id, _remote, openedAt);
        }
    }

    private void Loop(ref byte[] buffer)
    {
        int start = 0, end = 0;
        bool inputEnded = false;
        bool paused = false;
        while (!_closed)
        {
            if (!paused && !inputEnded)
            {
                if (end == buffer.Length)
                {
                    buffer = Compact(buffer, ref start, ref end);
                }

                int read = _stream!.Read(buffer, end, buffer.Length - end);
                Volatile.Write(ref _lastInputAt, Environment.TickCount64);
                if (read == 0)
                {
                    inputEnded = true;
                }

                end += read;
            }

            var (consumed, nowPaused, completed, abort, endedNow) = ReceiveOutcome.Offer(
                _gate, _processor!, new ReadOnlySequence<byte>(buffer, start, end - start), inputEnded, ref _inputReported);
            paused = nowPaused;
            start += (int)consumed;
            if (start == end)
            {
                start = end = 0;
            }

            if (abort)
            {
                return;
            }

            FlushOutput();
            if (completed || IsCompleted())
            {
                FlushOutput(waitForWriter: true); // another thread may hold the last of it
                return;
            }

            if (inputEnded && !endedNow && (start == end || consumed == 0) && !paused)
            {
                // No more input: let in-flight work finish the processor (or the heartbeat end it), then close.
                _completed.Wait();
                FlushOutput(waitForWriter: true);
                return;
            }
        }
    }

    private bool _inputReported;

    /// <summary>Doubles the read buffer when a partial unit (a large frame) fills it; otherwise moves the rest to the front.</summary>
    private static byte[] Compact(byte[] buffer, ref int start, ref int end)
    {
        int length = end - start;
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, length);
            start = 0;
            end = length;
            return buffer;
        }

        byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        Buffer.BlockCopy(buffer, 0, larger, 0, length);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private Stream? Handshake(TlsServerSettings tls, FeatureCollection features)
    {
        var raw = new CapturingStream(new NetworkStream(_socket, ownsSocket: false), TlsServerSettings.ClientHelloCaptureLimit);
        var ssl = new SslStream(raw, leaveInnerStreamOpen: false);
        int timeout = (int)Math.Min(int.MaxValue, tls.HandshakeTimeout.TotalMilliseconds);
        _socket.ReceiveTimeout = timeout;
        _socket.SendTimeout = timeout;
        try
        {
            ssl.AuthenticateAsServer(tls.CreateOptions());
        }
        catch (Exception ex) when (IsTimeout(ex))
        {
            tls.TimedOut(_remote);
            ssl.Dispose();
            return null;
        }
        catch (Exception ex) when (TlsServerSettings.IsHandshakeFailure(ex))
        {
            tls.Failed(ex, raw.StopCapture(), _remote);
            ssl.Dispose();
            return null;
        }

        if (!tls.Accept(ssl, raw.StopCapture(), _remote))
        {
            ssl.Dispose();
            return null;
        }

        _socket.ReceiveTimeout = 0;
        _socket.SendTimeout = 0;
        new TlsHandshakeFeature(ssl).AddTo(features);
        return ssl;
    }

    private static bool IsTimeout(Exception ex) =>
        ex is IOException { InnerException: SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } }
            or SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock };

    /// <summary>
    /// Writes the processor's output, one writer at a time. A thread that finds another writer busy leaves its
    /// output to that writer, which looks again before it stops — unless <paramref name="waitForWriter"/> (the
    /// connection is about to close, so nothing may be left behind).
    /// </summary>
    private void FlushOutput(bool waitForWriter = false)
    {
        while (!_closed)
        {
            if (waitForWriter)
            {
                _writeLock.Enter();
            }
            else if (!_writeLock.TryEnter())
            {
                return;
            }

            try
            {
                while (true)
                {
                    _gate.TryEnter();
                    try
                    {
                        if (_closed || _processor is null || !_processor.HasOutput)
                        {
                            break;
                        }

                        _processor.DrainOutputTo(_writeBuffer);
                    }
                    finally
                    {
                        _gate.ExitQuietly();
                    }

                    _stream!.Write(_writeBuffer.WrittenSpan);
                    _writeBuffer.ResetWrittenCount();
                }
            }
            catch (Exception ex) when (IsNetworkEnd(ex))
            {
                LogEnded(_logger, Id, ex.Message);
                Abort();
                return;
            }
            finally
            {
                _writeLock.Exit();
            }

            // Output another thread produced while we held the write lock: it left it to us.
            if (!Ask(static p => p.HasOutput))
            {
                return;
            }
        }
    }

    /// <summary>After work elsewhere left the gate: write what it produced (the connection's own thread writes after each read).</summary>
    private void OnGateExit()
    {
        if (Thread.CurrentThread == _thread || _closed)
        {
            return;
        }

        if (Thread.CurrentThread.IsThreadPoolThread)
        {
            FlushOutput(); // a handler's continuation: it blocks while the client reads (backpressure)
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c.FlushOutput(), this, preferLocal: false);
        }

        WakeIfCompleted();
    }

    private bool IsCompleted()
    {
        bool completed = Ask(static p => p.IsCompleted);
        if (completed)
        {
            _completed.Set();
        }

        return completed;
    }

    /// <summary>The processor finished because of work elsewhere: unblock the connection's thread from its read.</summary>
    private void WakeIfCompleted()
    {
        if (IsCompleted())
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Receive);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    private bool Ask(Func<IConnectionProcessor, bool> question)
    {
        _gate.TryEnter();
        try
        {
            return !_closed && _processor is not null && question(_processor);
        }
        finally
        {
            _gate.ExitQuietly();
        }
    }

    /// <summary>From the dispatcher's heartbeat thread: timeouts and data rates; never blocks on the socket.</summary>
    public void Heartbeat()
    {
        if (_processor is null || !_gate.TryEnterNow())
        {
            return;
        }

        bool abort, output;
        try
        {
            if (_closed)
            {
                return;
            }

            _processor.OnHeartbeat();
            abort = _processor.RequiresAbort;
            output = _processor.HasOutput;
        }
        finally
        {
            _gate.ExitQuietly();
        }

        if (abort)
        {
            Abort();
        }
        else if (output)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => { c.FlushOutput(); c.WakeIfCompleted(); }, this, preferLocal: false);
        }
        else
        {
            WakeIfCompleted();
        }
    }

    /// <summary>
    /// When another client waits for this dispatcher (one client at a time) and this one has sent nothing for
    /// <see cref="YieldAfter"/> with no request in flight, it is asked to close (HTTP/2: the two-step GOAWAY) so
    /// the next can be served. A client between the requests of a busy exchange is not idle.
    /// </summary>
    public void YieldIfIdle()
    {
        if (_yielded || _othersWaiting is null || _processor is null
            || Environment.TickCount64 - Volatile.Read(ref _lastInputAt) < YieldAfter.TotalMilliseconds
            || !_othersWaiting() || !Ask(static p => p.IsIdle))
        {
            return;
        }

        _yielded = true;
        LogYielding(_logger, Id, YieldAfter.TotalSeconds);
        Enter(static p => p.RequestClose());
    }

    /// <summary>The server is stopping: the protocol finishes in-flight work and closes (HTTP/2: GOAWAY).</summary>
    public void RequestClose()
    {
        CloseRequested = true;
        Enter(static p => p.RequestClose());
    }

    /// <summary>The shutdown timeout expired: the protocol says what it abandons (RST_STREAM, GOAWAY).</summary>
    public void ShutdownTimeout() => Enter(static p => p.Abort("the server's shutdown timeout expired"));

    private void Enter(Action<IConnectionProcessor> action)
    {
        if (_processor is null)
        {
            Abort(); // still in the TLS handshake
            return;
        }

        _gate.TryEnter();
        try
        {
            if (!_closed)
            {
                action(_processor);
            }
        }
        finally
        {
            _gate.Exit(); // queues the flush (this is not a pool thread) and wakes the reader if done
        }
    }

    /// <summary>Closes the socket now; blocked reads and writes fail and the connection's thread ends.</summary>
    public void Abort()
    {
        _closed = true;
        _completed.Set();
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Close()
    {
        _gate.TryEnter();
        try
        {
            _closed = true;
            _processor?.OnTransportClosed();
        }
        finally
        {
            _gate.ExitQuietly();
        }

        _completed.Set();
        try
        {
            if (_stream is SslStream ssl)
            {
                // close_notify, so the client sees a clean end. Not beside a writer on another thread (a handler's
                // continuation): SslStream writes the alert past its own write lock, on the SSL session that writer is
                // encrypting with. Bounded: a writer or the alert may wait for a peer that is not reading.
                if (_writeLock.TryEnter(CloseNotifyTimeout))
                {
                    try
                    {
                        ssl.ShutdownAsync().Wait(CloseNotifyTimeout);
                    }
                    finally
                    {
                        _writeLock.Exit();
                    }
                }

                ssl.Dispose();
            }

            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException or AggregateException or InvalidOperationException or NotSupportedException)
        {
        }

        _socket.Dispose();
        if (_processor is not null)
        {
            // Waits (bounded by the protocol) for handlers to notice; this thread is the connection's anyway.
            _processor.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static bool IsNetworkEnd(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    [LoggerMessage(EventId = 132, Level = LogLevel.Debug, Message = "Connection {ConnectionId} is idle and another client is waiting: asking it to close (nothing received for {IdleSeconds} s)")]
    private static partial void LogYielding(ILogger logger, string connectionId, double idleSeconds);

    [LoggerMessage(EventId = 130, Level = LogLevel.Debug, Message = "Connection {ConnectionId} ended by the network: {Reason}")]
    private static partial void LogEnded(ILogger logger, string connectionId, string reason);

    [LoggerMessage(EventId = 131, Level = LogLevel.Error, Message = "Endpoint '{Endpoint}': connection {ConnectionId} failed")]
    private static partial void LogFailed(ILogger logger, string endpoint, string connectionId, Exception exception);
}
