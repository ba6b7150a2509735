using System.Buffers;
using System.IO.Pipelines;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// A <see cref="Stream"/> over an <see cref="IDuplexPipe"/>, so <see cref="System.Net.Security.SslStream"/>
/// can run over a connection's transport. Disposing it completes both pipes.
/// </summary>
/// <remarks>
/// It can also keep a copy of the first bytes read (<see cref="StartCapture"/>): the TLS middleware uses it
/// to report which ALPN protocols a client offered, which <c>SslStream</c> does not expose.
/// </remarks>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private byte[]? _capture;
    private int _captured;
    private int _disposed;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Keeps a copy of up to <paramref name="limit"/> bytes read from now on.</summary>
    public void StartCapture(int limit)
    {
        _capture = new byte[limit];
        _captured = 0;
    }

    /// <summary>Returns what was captured and stops capturing.</summary>
    public ReadOnlyMemory<byte> StopCapture()
    {
        var captured = _capture is null ? ReadOnlyMemory<byte>.Empty : _capture.AsMemory(0, _captured);
        _capture = null;
        return captured;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var count = (int)Math.Min(buffer.Length, destination.Length);
                var taken = buffer.Slice(0, count);
                taken.CopyTo(destination.Span);
                Capture(taken);
                input.AdvanceTo(taken.End);
                return count;
            }

            input.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                return 0;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The read was canceled.");
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        var result = await output.WriteAsync(source, cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException("The write was canceled.");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    // WriteAsync already flushes each write; an explicit flush only has to push anything left over.
    public override async Task FlushAsync(CancellationToken cancellationToken) =>
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            input.Complete();
            output.Complete();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private void Capture(ReadOnlySequence<byte> data)
    {
        if (_capture is null || _captured == _capture.Length)
        {
            return;
        }

        var count = (int)Math.Min(data.Length, _capture.Length - _captured);
        data.Slice(0, count).CopyTo(_capture.AsSpan(_captured));
        _captured += count;
    }
}
