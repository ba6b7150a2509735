using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Tls.Engines;

namespace Http2Lab.Transport.Tests.TlsEngines;

/// <summary>
/// A .NET client <see cref="SslStream"/> wired to an <see cref="ITlsEngine"/> through two in-memory pipes (no
/// sockets), with the engine driven the way the poll loop drives it: feed what arrived, read plaintext while
/// <see cref="ITlsEngine.HasPlaintext"/> says so, send the pending ciphertext. Only the test's flow touches the engine.
/// </summary>
internal sealed class TlsEngineLink : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Pipe _toServer = NewPipe();
    private readonly Pipe _toClient = NewPipe();
    private readonly ArrayBufferWriter<byte> _received = new();
    private bool _transportClosed;

    public TlsEngineLink(ITlsEngine engine)
    {
        Engine = engine;
        Client = new SslStream(new DuplexPipeStream(_toClient.Reader, _toServer.Writer), leaveInnerStreamOpen: false);
    }

    public ITlsEngine Engine { get; }

    public SslStream Client { get; }

    /// <summary>Feed the engine at most this many octets at a time.</summary>
    public int FeedChunk { get; set; } = int.MaxValue;

    /// <summary>The "socket" takes at most this many octets per write (partial writes, <see cref="ITlsEngine.AdvanceCiphertext"/>).</summary>
    public int SendChunk { get; set; } = int.MaxValue;

    /// <summary>The destination size for <see cref="ITlsEngine.ReadPlaintext"/>.</summary>
    public int ReadBufferSize { get; set; } = 16 * 1024;

    /// <summary>Whether the pump reads plaintext out of the engine (off: the test reads it itself).</summary>
    public bool ReadsPlaintext { get; set; } = true;

    /// <summary>Write back every plaintext octet read, as one WritePlaintext per read.</summary>
    public bool Echo { get; set; }

    /// <summary>Plaintext the engine decrypted so far.</summary>
    public ReadOnlySpan<byte> Received => _received.WrittenSpan;

    /// <summary>
    /// Handshakes the client with <paramref name="options"/> until both sides are done (a TLS 1.3 client is done
    /// before the engine has its Finished); throws what the client's handshake throws.
    /// </summary>
    public async Task HandshakeAsync(SslClientAuthenticationOptions options)
    {
        Task handshake = Client.AuthenticateAsClientAsync(options);
        await RunUntilAsync(() => handshake.IsCompleted && (!handshake.IsCompletedSuccessfully || Engine.State != TlsEngineState.Handshaking));
        await handshake;
    }

    /// <summary>Plays the server until <paramref name="clientWork"/> completes (successfully or not).</summary>
    public Task RunUntilAsync(Task clientWork) => RunUntilAsync(() => clientWork.IsCompleted);

    /// <summary>Plays the server until <paramref name="done"/> holds.</summary>
    public async Task RunUntilAsync(Func<bool> done)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            await SendToClientAsync();
            if (done())
            {
                return;
            }

            Task<ReadResult> read = _toServer.Reader.ReadAsync(timeout.Token).AsTask();
            while (!read.IsCompleted)
            {
                // The client can finish without sending anything more: look again now and then.
                await Task.WhenAny(read, Task.Delay(5, CancellationToken.None));
                if (!read.IsCompleted && done())
                {
                    _toServer.Reader.CancelPendingRead();
                }
            }

            ReadResult result;
            try
            {
                result = await read;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The TLS link did not get there within {Timeout} (engine {Engine.State}).");
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                for (int offset = 0; offset < segment.Length; offset += FeedChunk)
                {
                    Engine.FeedCiphertext(segment.Span.Slice(offset, Math.Min(FeedChunk, segment.Length - offset)));
                    ReadPlaintext();
                }
            }

            _toServer.Reader.AdvanceTo(buffer.End);
            if (result.IsCompleted && buffer.IsEmpty)
            {
                await SendToClientAsync();
                return; // the client closed its transport: nothing more will come
            }
        }
    }

    /// <summary>The loop's Decrypt: reads while the engine says plaintext is waiting; a read of 0 must end that.</summary>
    public void ReadPlaintext()
    {
        if (!ReadsPlaintext)
        {
            return;
        }

        byte[] buffer = new byte[ReadBufferSize];
        while (Engine.HasPlaintext)
        {
            int read = Engine.ReadPlaintext(buffer);
            if (read == 0)
            {
                if (Engine.HasPlaintext)
                {
                    throw new InvalidOperationException("HasPlaintext stayed true after ReadPlaintext returned 0.");
                }

                break;
            }

            _received.Write(buffer.AsSpan(0, read));
            if (Echo)
            {
                Engine.WritePlaintext(buffer.AsSpan(0, read));
            }
        }
    }

    /// <summary>Sends the engine's pending ciphertext; like the loop, closes the transport once the engine failed.</summary>
    public async Task SendToClientAsync()
    {
        while (Engine.PendingCiphertext.Length > 0)
        {
            ReadOnlyMemory<byte> pending = Engine.PendingCiphertext;
            int count = Math.Min(pending.Length, SendChunk);
            await _toClient.Writer.WriteAsync(pending[..count]);
            Engine.AdvanceCiphertext(count);
        }

        if (Engine.State == TlsEngineState.Failed && !_transportClosed)
        {
            _transportClosed = true;
            await _toClient.Writer.CompleteAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Engine.Dispose();
    }

    private static Pipe NewPipe() => new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
}
