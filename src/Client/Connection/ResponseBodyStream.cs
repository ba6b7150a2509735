using System.Buffers;
using System.IO.Pipelines;

namespace Http2Lab.Client.Connection;

/// <summary>
/// The response body as a read-only stream over the exchange's pipe. Every read gives its octets' credit back to the
/// session (WINDOW_UPDATE, batched), so the server sends only as fast as the application reads (RFC 9113 §5.2).
/// </summary>
internal sealed class ResponseBodyStream(ClientExchange exchange, PipeReader reader) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        ReadOnlySequence<byte> data = result.Buffer;
        if (data.IsEmpty && result.IsCompleted)
        {
            reader.AdvanceTo(data.End);
            return 0;
        }

        int n = (int)Math.Min(buffer.Length, data.Length);
        data.Slice(0, n).CopyTo(buffer.Span);
        reader.AdvanceTo(data.GetPosition(n));
        exchange.Acknowledge(n);
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
