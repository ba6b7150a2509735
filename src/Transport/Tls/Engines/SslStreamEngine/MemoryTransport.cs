using Http2Lab.Transport.Buffers;

namespace Http2Lab.Transport.Tls.Engines.SslStreamEngine;

/// <summary>
/// The "network" under an <see cref="System.Net.Security.SslStream"/> driven from the poll loop: reads are served
/// from ciphertext the loop fed in, or wait (without blocking anyone) until it feeds more — and then complete on the
/// loop's thread, inside <see cref="Append"/>, so SslStream's work happens there and then. Writes collect the
/// ciphertext SslStream produces for the loop to send.
/// </summary>
internal sealed class MemoryTransport : Stream
{
    private readonly ByteQueue _inbound = new();
    private Memory<byte> _pendingBuffer;
    private TaskCompletionSource<int>? _pendingRead;
    private bool _ended;

    public ByteQueue Outbound { get; } = new();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Ciphertext from the client; a waiting read completes now, on this thread.</summary>
    public void Append(ReadOnlySpan<byte> ciphertext)
    {
        _inbound.Write(ciphertext);
        CompletePendingRead();
    }

    /// <summary>The client will send nothing more: a waiting read returns 0.</summary>
    public void End()
    {
        _ended = true;
        CompletePendingRead();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_inbound.IsEmpty || _ended)
        {
            return new ValueTask<int>(_inbound.Read(buffer.Span));
        }

        // Continuations run inline when the loop completes this (no RunContinuationsAsynchronously).
        _pendingBuffer = buffer;
        _pendingRead = new TaskCompletionSource<int>();
        return new ValueTask<int>(_pendingRead.Task);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The poll loop never blocks: only asynchronous reads.");

    public override void Write(byte[] buffer, int offset, int count) => Outbound.Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => Outbound.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Outbound.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Outbound.Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inbound.Dispose();
            Outbound.Dispose();
            _pendingRead?.TrySetResult(0);
        }

        base.Dispose(disposing);
    }

    private void CompletePendingRead()
    {
        if (_pendingRead is not { } read || (_inbound.IsEmpty && !_ended))
        {
            return;
        }

        // Detach first: completing runs SslStream, which may read again at once.
        int count = _inbound.Read(_pendingBuffer.Span);
        _pendingRead = null;
        _pendingBuffer = default;
        read.SetResult(count);
    }
}
