using System.Buffers;
using System.IO.Pipelines;

namespace Http2Lab.Http2.Application;

/// <summary>
/// Reads a request body from the stream's pipe. Every read acknowledges what it consumed, which
/// lets the session return window credit to the client (RFC 9113 §6.9).
/// </summary>
internal sealed class RequestBodyStream(Http2StreamContext stream, PipeReader reader) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        ReadResult result;
        try
        {
            result = await reader.ReadAsync(cancellationToken);
        }
        catch (InvalidOperationException) when (stream.IsAborted)
        {
            throw new IOException("The request was reset.");
        }

        ReadOnlySequence<byte> data = result.Buffer;
        int count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        reader.AdvanceTo(data.GetPosition(count));
        if (count > 0)
        {
            await stream.AcknowledgeBodyAsync(count).ConfigureAwait(false);
        }

        return count;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
