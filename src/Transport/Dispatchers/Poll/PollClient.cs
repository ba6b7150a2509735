using System.Buffers;
using System.Net.Sockets;
using Http2Lab.Transport.Buffers;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Processing;
using Http2Lab.Transport.Sockets;
using Http2Lab.Transport.Tls;
using Http2Lab.Transport.Tls.Engines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// One client of the poll loop. Its state is explicit — socket readable, write blocked, TLS handshake done,
/// plaintext waiting in the engine, processor output to encrypt, ciphertext to send, input ended, closing — and
/// <see cref="NextAction"/> picks what to do next from it; the loop runs actions until none is left, then polls.
/// For TLS the socket carries ciphertext to and from an <see cref="ITlsEngine"/> on memory buffers: socket →
/// engine → plaintext → processor → output batched → engine → ciphertext → socket. Loop thread only.
/// </summary>
internal sealed class PollClient
{
    private const int ReadChunk = 16 * 1024;

    // Batch: encrypt all the processor has (few, full TLS records per write), but hold at most this much ciphertext.
    private const int CiphertextHighWater = 256 * 1024;

    private readonly PollLoop _loop;
    private readonly EndpointContext _endpoint;
    private readonly ITlsEngine? _tls;
    private readonly FeatureCollection _features = new();
    private ByteQueue? _clientHello;
    private byte[]? _input;
    private int _start;
    private int _end;
    private bool _socketReadable = true;
    private bool _stalled;
    private bool _inputReported;
    private bool _closeNotifySent;
    private bool _failed;
    private bool _alertSent;

    public PollClient(PollLoop loop, Socket socket, EndpointContext endpoint, ITlsEngine? tls)
    {
        _loop = loop;
        _endpoint = endpoint;
        _tls = tls;
        Socket = socket;
        Fd = (int)socket.Handle;
        Remote = Sockets.EndPointText.Describe(socket.RemoteEndPoint);
        Id = ConnectionIds.Next("PL");
        Gate = new PollGate(loop, this);
        _features.Set<IConnectionSocketFeature>(new SocketFeature(socket));
        OpenedAt = endpoint.Observer.Opened(Id, Remote);
        if (tls is null)
        {
            Processor = endpoint.CreateProcessor(new ProcessorContext(Id, socket.RemoteEndPoint, socket.LocalEndPoint, Gate, _features));
        }
        else
        {
            _clientHello = new ByteQueue(); // kept only to explain a refused handshake
        }
    }

    public Socket Socket { get; }

    public int Fd { get; }

    public string Id { get; }

    public string Remote { get; }

    public long OpenedAt { get; }

    public long AcceptedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    public PollGate Gate { get; }

    /// <summary>The protocol's processor; for TLS, created once the handshake has succeeded.</summary>
    public IConnectionProcessor? Processor { get; private set; }

    public bool IsHandshaking => _tls is not null && Processor is null && !_failed;

    public bool InputEnded { get; private set; }

    /// <summary>The last send would have blocked: poll for POLLOUT.</summary>
    public bool WriteBlocked { get; private set; }

    public bool Closed { get; private set; }

    public bool CloseRequested { get; set; }

    /// <summary>Work elsewhere (a handler) left output or state to look at.</summary>
    public bool Dirty { get; private set; }

    /// <summary>What to poll for: input while the client may send more, output only while a write would block.</summary>
    public short Interest => (short)((WantsInput ? LibC.PollIn : 0) | (WriteBlocked ? LibC.PollOut : 0));

    private bool WantsInput => !InputEnded && !Closed && !(Processor?.IsInputPaused ?? false) && (_tls is null || !_tls.HasPlaintext);

    private bool HasUnconsumedInput => _end > _start;

    private int PendingWrite => _tls is not null ? _tls.PendingCiphertext.Length : Processor?.PendingOutput.Length ?? 0;

    public void MarkDirty()
    {
        _stalled = false; // the processor may take input again (output drained, work finished)
        if (!Dirty)
        {
            Dirty = true;
            _loop.OnDirty(this);
        }
    }

    public void ClearDirty() => Dirty = false;

    /// <summary>poll reported the socket readable (or hung up / in error: reading finds out).</summary>
    public void OnReadable() => _socketReadable = true;

    /// <summary>poll reported the socket writable again.</summary>
    public void OnWritable() => WriteBlocked = false;

    /// <summary>A new handshake that did not finish within the handshake timeout.</summary>
    public void OnHandshakeTimeout()
    {
        _endpoint.Tls?.TimedOut(Remote);
        _failed = true;
    }

    /// <summary>The one function that decides what to do next, from the client's state.</summary>
    public PollAction NextAction()
    {
        if (Closed)
        {
            return PollAction.None;
        }

        if (_failed || (Processor?.RequiresAbort ?? false))
        {
            // A failed handshake or record leaves the TLS alert that says why: one attempt to send it, then close.
            if (_failed && !_alertSent && _tls is { PendingCiphertext.Length: > 0 } && !WriteBlocked)
            {
                _alertSent = true;
                return PollAction.WriteSocket;
            }

            return PollAction.Close;
        }

        if (!WriteBlocked && PendingWrite > 0)
        {
            return PollAction.WriteSocket;
        }

        if (_tls is not null && Processor is { HasOutput: true } && !_closeNotifySent && _tls.PendingCiphertext.Length < CiphertextHighWater)
        {
            return PollAction.Encrypt;
        }

        if (_tls is { HasPlaintext: true } && !(Processor?.IsInputPaused ?? true))
        {
            return PollAction.Decrypt;
        }

        if (Processor is not null && !_stalled && (HasUnconsumedInput || (InputEnded && !_inputReported)) && !Processor.IsInputPaused)
        {
            return PollAction.Receive;
        }

        if (_socketReadable && WantsInput)
        {
            return PollAction.ReadSocket;
        }

        if (Processor is { IsCompleted: true, HasOutput: false })
        {
            return _tls is not null && !_closeNotifySent && _tls.State is TlsEngineState.Established or TlsEngineState.Closed ? PollAction.CloseNotify
                : PendingWrite == 0 ? PollAction.Close : PollAction.None;
        }

        if (InputEnded && Processor is null)
        {
            return PollAction.Close; // gone before the handshake finished
        }

        return PollAction.None;
    }

    /// <summary>Carries out <paramref name="action"/>; false if the connection failed (the next action is Close).</summary>
    public void Execute(PollAction action)
    {
        switch (action)
        {
            case PollAction.ReadSocket: ReadSocket(); break;
            case PollAction.Decrypt: Decrypt(); break;
            case PollAction.Receive: Receive(); break;
            case PollAction.Encrypt: Encrypt(); break;
            case PollAction.WriteSocket: WriteSocket(); break;
            case PollAction.CloseNotify: _closeNotifySent = true; _tls!.Close(); break;
            case PollAction.Close: Close(); break;
            default: break;
        }
    }

    /// <summary>The client's state in a few words, for the action trace.</summary>
    public string Describe() =>
        $"read {(_socketReadable ? "+" : "-")} write {(WriteBlocked ? "blocked" : "+")} " +
        (_tls is null ? "" : $"tls {(IsHandshaking ? "handshaking" : _tls.State.ToString().ToLowerInvariant())} plaintext {(_tls.HasPlaintext ? "+" : "-")} ") +
        $"in {_end - _start} out {Processor?.PendingOutput.Length ?? 0}" + (_tls is null ? "" : $" cipher {_tls.PendingCiphertext.Length}") +
        $"{(InputEnded ? " input-ended" : "")}{(Processor?.IsInputPaused == true ? " paused" : "")}{(_stalled ? " stalled" : "")}{(Processor?.IsCompleted == true ? " completed" : "")}";

    private void ReadSocket()
    {
        Span<byte> target = _tls is null ? InputRoom() : ReadScratch;
        int read = Socket.Receive(target, SocketFlags.None, out SocketError error);
        if (error is SocketError.WouldBlock or SocketError.Interrupted)
        {
            _socketReadable = error == SocketError.Interrupted;
            return;
        }

        if (error != SocketError.Success)
        {
            _failed = true; // reset, broken pipe: this client only
            return;
        }

        if (read == 0)
        {
            InputEnded = true;
            _stalled = false;
            return;
        }

        if (read < target.Length)
        {
            _socketReadable = false; // a short read: the socket is empty now
        }

        if (_tls is null)
        {
            _end += read;
            _stalled = false;
            return;
        }

        FeedTls(target[..read]);
    }

    private void FeedTls(ReadOnlySpan<byte> ciphertext)
    {
        if (IsHandshaking && _clientHello is { Length: < TlsServerSettings.ClientHelloCaptureLimit })
        {
            _clientHello.Write(ciphertext[..Math.Min(ciphertext.Length, TlsServerSettings.ClientHelloCaptureLimit - _clientHello.Length)]);
        }

        _tls!.FeedCiphertext(ciphertext);
        if (_tls.State == TlsEngineState.Failed)
        {
            if (IsHandshaking)
            {
                _endpoint.Tls!.Failed(_tls.FailureReason ?? "handshake failed", _clientHello!.Span, Remote);
            }

            _failed = true;
            return;
        }

        if (IsHandshaking && _tls.State == TlsEngineState.Established)
        {
            OnHandshakeCompleted();
        }
        else if (_tls.State == TlsEngineState.Closed)
        {
            InputEnded = true; // close_notify: the client sends no more
        }
    }

    private void OnHandshakeCompleted()
    {
        ReadOnlySpan<byte> hello = _clientHello!.Span;
        if (!_endpoint.Tls!.Accept(_tls!, hello, Remote))
        {
            _failed = true;
            return;
        }

        _clientHello.Dispose();
        _clientHello = null;
        ITlsEngine tls = _tls!;
        new TlsHandshakeFeature(tls.Protocol, tls.CipherSuite, tls.NegotiatedApplicationProtocol, tls.ServerName, tls.RemoteCertificate).AddTo(_features);
        Processor = _endpoint.CreateProcessor(new ProcessorContext(Id, Socket.RemoteEndPoint, Socket.LocalEndPoint, Gate, _features));
        if (CloseRequested)
        {
            Processor.RequestClose();
        }
    }

    private void Decrypt()
    {
        Span<byte> room = InputRoom();
        int count = _tls!.ReadPlaintext(room);
        _end += count;
        _stalled = false;
        if (_tls.State == TlsEngineState.Closed)
        {
            InputEnded = true;
        }
    }

    private void Receive()
    {
        var processor = Processor!;
        long consumed = HasUnconsumedInput ? processor.Receive(new ReadOnlySequence<byte>(_input!, _start, _end - _start)) : 0;
        _start += (int)consumed;
        if (_start == _end)
        {
            _start = _end = 0;
            if (!InputEnded && _tls is not { HasPlaintext: true })
            {
                ReleaseInput(); // an idle client holds no read buffer
            }
        }

        if (InputEnded && !_inputReported && (consumed == 0 || !HasUnconsumedInput))
        {
            _inputReported = true;
            processor.OnInputCompleted(); // what it left is offered once more, now known to be the last
            return;
        }

        _stalled = consumed == 0;
    }

    private void Encrypt()
    {
        var processor = Processor!;
        while (processor.HasOutput && _tls!.PendingCiphertext.Length < CiphertextHighWater)
        {
            ReadOnlyMemory<byte> plaintext = processor.PendingOutput;
            _tls.WritePlaintext(plaintext.Span);
            processor.AdvanceOutput(plaintext.Length); // may produce more (data waiting for room): batched into this write
        }

        _stalled = false;
    }

    private void WriteSocket()
    {
        ReadOnlyMemory<byte> pending = _tls is not null ? _tls.PendingCiphertext : Processor!.PendingOutput;
        int sent = Socket.Send(pending.Span, SocketFlags.None, out SocketError error);
        if (error is SocketError.WouldBlock)
        {
            WriteBlocked = true;
            return;
        }

        if (error is not (SocketError.Success or SocketError.Interrupted))
        {
            _failed = true;
            return;
        }

        if (_tls is not null)
        {
            _tls.AdvanceCiphertext(sent);
        }
        else
        {
            Processor!.AdvanceOutput(sent);
        }

        if (sent < pending.Length)
        {
            WriteBlocked = true; // partial write: the kernel's buffer is full
        }

        _stalled = false; // output drained: input held back by backpressure can go on
    }

    /// <summary>Closes the socket and tells the processor; returns the buffers.</summary>
    public void Close()
    {
        if (Closed)
        {
            return;
        }

        Closed = true;
        Processor?.OnTransportClosed();
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Socket.Dispose();
        ReleaseInput();
        _clientHello?.Dispose();
        _tls?.Dispose();
        if (Processor is not null)
        {
            _ = Processor.DisposeAsync().AsTask(); // may wait (on this loop) for handlers to notice
        }
    }

    private Span<byte> ReadScratch => _loop.ReadScratch;

    private Span<byte> InputRoom()
    {
        _input ??= ArrayPool<byte>.Shared.Rent(ReadChunk);
        if (_end == _input.Length)
        {
            int length = _end - _start;
            byte[] target = length > _input.Length / 2 ? ArrayPool<byte>.Shared.Rent(_input.Length * 2) : _input;
            Buffer.BlockCopy(_input, _start, target, 0, length);
            if (target != _input)
            {
                ArrayPool<byte>.Shared.Return(_input);
                _input = target;
            }

            _start = 0;
            _end = length;
        }

        return _input.AsSpan(_end);
    }

    private void ReleaseInput()
    {
        if (_input is not null)
        {
            ArrayPool<byte>.Shared.Return(_input);
            _input = null;
            _start = _end = 0;
        }
    }
}
