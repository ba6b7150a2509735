using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Buffers;

namespace Http2Lab.Transport.Tls.Engines.SslStreamEngine;

/// <summary>
/// <see cref="ITlsEngine"/> on .NET's own <see cref="SslStream"/>, run over a <see cref="MemoryTransport"/>: its
/// asynchronous handshake and reads wait on the transport and advance, on the loop's thread, whenever the loop feeds
/// ciphertext; its writes complete at once into the transport's outbound queue.
/// </summary>
internal sealed class SslStreamTlsEngine : ITlsEngine
{
    private const int PlaintextChunk = 16 * 1024;

    private readonly MemoryTransport _transport = new();
    private readonly SslStream _ssl;
    private readonly ByteQueue _plaintext = new();
    private readonly TlsServerSettings _settings;
    private Task _handshake;
    private Task<int>? _read;
    private byte[]? _readBuffer;
    private bool _closeSent;

    public SslStreamTlsEngine(TlsServerSettings settings)
    {
        _settings = settings;
        _ssl = new SslStream(_transport, leaveInnerStreamOpen: true);
        using var inline = InlineScope.Enter();
        _handshake = _ssl.AuthenticateAsServerAsync(settings.CreateOptions(), CancellationToken.None);
        Update();
    }

    public TlsEngineState State { get; private set; }

    public string? FailureReason { get; private set; }

    public SslApplicationProtocol NegotiatedApplicationProtocol => _ssl.NegotiatedApplicationProtocol;

    public SslProtocols Protocol => _ssl.SslProtocol;

    public TlsCipherSuite CipherSuite => _ssl.NegotiatedCipherSuite;

    public X509Certificate2? RemoteCertificate => _ssl.RemoteCertificate as X509Certificate2;

    public string ServerName => _ssl.TargetHostName;

    public bool HasPlaintext => !_plaintext.IsEmpty;

    public ReadOnlyMemory<byte> PendingCiphertext => _transport.Outbound.Memory;

    public void FeedCiphertext(ReadOnlySpan<byte> ciphertext)
    {
        if (State is TlsEngineState.Failed or TlsEngineState.Closed)
        {
            return;
        }

        using var inline = InlineScope.Enter();
        _transport.Append(ciphertext); // SslStream runs here, inline, as far as the octets allow
        Update();
    }

    public int ReadPlaintext(Span<byte> destination)
    {
        int count = _plaintext.Read(destination);
        if (count > 0)
        {
            using var inline = InlineScope.Enter();
            Update(); // room again: the next read may start
        }

        return count;
    }

    public void WritePlaintext(ReadOnlySpan<byte> plaintext)
    {
        // After the client's close_notify we may still answer (a half-close); not after our own.
        if (_closeSent || State is not (TlsEngineState.Established or TlsEngineState.Closed))
        {
            return;
        }

        try
        {
            using var inline = InlineScope.Enter();
            _ssl.Write(plaintext); // completes at once: the transport never blocks
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or AuthenticationException)
        {
            Fail(ex);
        }
    }

    public void AdvanceCiphertext(int count) => _transport.Outbound.Consume(count);

    public void Close()
    {
        if (!_closeSent && State is TlsEngineState.Established or TlsEngineState.Closed)
        {
            _closeSent = true;
            using var inline = InlineScope.Enter();
            _ = _ssl.ShutdownAsync(); // close_notify into the outbound queue, at once
        }

        State = State == TlsEngineState.Failed ? State : TlsEngineState.Closed;
    }

    public void Dispose()
    {
        _ssl.Dispose();
        _transport.Dispose();
        _plaintext.Dispose();
        if (_readBuffer is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_readBuffer);
            _readBuffer = null;
        }
    }

    /// <summary>Looks at what SslStream finished meanwhile: the handshake, a read; starts the next read.</summary>
    private void Update()
    {
        if (State == TlsEngineState.Handshaking)
        {
            if (!_handshake.IsCompleted)
            {
                return;
            }

            if (!_handshake.IsCompletedSuccessfully)
            {
                Fail(_handshake.Exception?.InnerException);
                return;
            }

            State = TlsEngineState.Established;
        }

        while (State == TlsEngineState.Established)
        {
            if (_read is null)
            {
                if (_plaintext.Length >= PlaintextChunk)
                {
                    return; // the loop has not taken what is there yet
                }

                _readBuffer ??= System.Buffers.ArrayPool<byte>.Shared.Rent(PlaintextChunk);
                _read = _ssl.ReadAsync(_readBuffer, 0, PlaintextChunk);
            }

            if (!_read.IsCompleted)
            {
                return; // waits for ciphertext
            }

            Task<int> done = _read;
            _read = null;
            if (!done.IsCompletedSuccessfully)
            {
                Fail(done.Exception?.InnerException);
                return;
            }

            if (done.Result == 0)
            {
                State = TlsEngineState.Closed; // close_notify (or the end of input)
                return;
            }

            _plaintext.Write(_readBuffer.AsSpan(0, done.Result));
        }
    }

    private void Fail(Exception? error)
    {
        State = TlsEngineState.Failed;
        var reasons = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            reasons.Add(e.Message);
        }

        FailureReason = reasons.Count == 0 ? "TLS failed" : string.Join(": ", reasons); // the inner ones say why (an alert, ALPN)
    }
}
