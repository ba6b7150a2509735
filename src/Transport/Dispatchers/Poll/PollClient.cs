using System.Buffers;
using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Sockets;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// One client of the poll loop: its non-blocking socket, the octets read and not yet consumed, and its processor.
/// Everything here runs on the loop's thread. Its state — can read, input paused, output pending, write blocked,
/// input ended, closing — decides what the loop polls it for.
/// </summary>
internal sealed class PollClient
{
    private const int ReadChunk = 16 * 1024;

    private readonly PollLoop _loop;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _inputReported;

    public PollClient(PollLoop loop, Socket socket, EndpointContext endpoint)
    {
        _loop = loop;
        Socket = socket;
        Fd = (int)socket.Handle;
        Remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        Id = ConnectionIds.Next("PL");
        Gate = new PollGate(loop, this);
        var features = new FeatureCollection();
        features.Set<IConnectionSocketFeature>(new SocketFeature(socket));
        Processor = endpoint.CreateProcessor(new ProcessorContext(Id, socket.RemoteEndPoint, socket.LocalEndPoint, Gate, features));
        OpenedAt = endpoint.Observer.Opened(Id, Remote);
    }

    public Socket Socket { get; }

    public int Fd { get; }

    public string Id { get; }

    public string Remote { get; }

    public long OpenedAt { get; }

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    public PollGate Gate { get; }

    public IConnectionProcessor Processor { get; }

    public bool InputEnded { get; private set; }

    /// <summary>The last send would have blocked: poll for POLLOUT.</summary>
    public bool WriteBlocked { get; set; }

    public bool Closed { get; private set; }

    public bool CloseRequested { get; set; }

    /// <summary>Work elsewhere (a handler) left output or state to look at.</summary>
    public bool Dirty { get; private set; }

    /// <summary>What to poll for: input unless paused or ended; output only while a write would block.</summary>
    public short Interest =>
        (short)((!InputEnded && !Processor.IsInputPaused ? LibC.PollIn : 0) | (WriteBlocked ? LibC.PollOut : 0));

    public void MarkDirty()
    {
        if (!Dirty)
        {
            Dirty = true;
            _loop.OnDirty(this);
        }
    }

    public void ClearDirty() => Dirty = false;

    /// <summary>Reads what the socket has (until it would block, or the buffer would have to grow past a chunk).</summary>
    /// <returns>False if the connection failed (reset, error).</returns>
    public bool ReadAvailable()
    {
        while (!InputEnded && !Processor.IsInputPaused)
        {
            EnsureRoom();
            int room = _buffer!.Length - _end;
            int read = Socket.Receive(_buffer.AsSpan(_end), SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                return true;
            }

            if (error == SocketError.Interrupted)
            {
                continue;
            }

            if (error != SocketError.Success)
            {
                return false; // reset, broken pipe: this client only
            }

            if (read == 0)
            {
                InputEnded = true;
                Feed();
                return true;
            }

            _end += read;
            Feed();
            if (read < room)
            {
                return true; // a short read: the socket is (very likely) empty
            }
        }

        return true;
    }

    /// <summary>Offers unconsumed input to the processor (after a read, or when output drained and input resumes).</summary>
    public void Feed()
    {
        if (_buffer is null || Closed)
        {
            ReportEndOfInput();
            return;
        }

        long consumed = Processor.Receive(new ReadOnlySequence<byte>(_buffer, _start, _end - _start));
        _start += (int)consumed;
        if (_start == _end)
        {
            _start = _end = 0;
            if (!InputEnded)
            {
                ReleaseBuffer(); // an idle client holds no read buffer
            }
        }

        ReportEndOfInput();
    }

    private void ReportEndOfInput()
    {
        if (InputEnded && !_inputReported)
        {
            _inputReported = true;
            Processor.OnInputCompleted();
            if (_buffer is not null && _end > _start)
            {
                Feed(); // what it left is offered again, now knowing it is the last
            }
        }
    }

    /// <summary>Writes pending output until done or the socket would block.</summary>
    /// <returns>False if the connection failed.</returns>
    public bool WriteAvailable()
    {
        while (!WriteBlocked && Processor.HasOutput)
        {
            ReadOnlyMemory<byte> output = Processor.PendingOutput;
            int sent = Socket.Send(output.Span, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                WriteBlocked = true;
                return true;
            }

            if (error == SocketError.Interrupted)
            {
                continue;
            }

            if (error != SocketError.Success)
            {
                return false;
            }

            Processor.AdvanceOutput(sent);
            if (sent < output.Length)
            {
                WriteBlocked = true; // partial write: the kernel's buffer is full
                return true;
            }

            if (_buffer is not null && _end > _start && !Processor.IsInputPaused)
            {
                Feed(); // output drained: input held back by backpressure can go on
            }
        }

        return true;
    }

    /// <summary>Closes the socket and tells the processor; returns the read buffer.</summary>
    public void Close()
    {
        if (Closed)
        {
            return;
        }

        Closed = true;
        Processor.OnTransportClosed();
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Socket.Dispose();
        ReleaseBuffer();
        _ = Processor.DisposeAsync().AsTask(); // may wait (on this loop) for handlers to notice
    }

    private void EnsureRoom()
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(ReadChunk);
        if (_end < _buffer.Length)
        {
            return;
        }

        int length = _end - _start;
        byte[] target = length > _buffer.Length / 2 ? ArrayPool<byte>.Shared.Rent(_buffer.Length * 2) : _buffer;
        Buffer.BlockCopy(_buffer, _start, target, 0, length);
        if (target != _buffer)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _start = 0;
        _end = length;
    }

    private void ReleaseBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }
}
