using Microsoft.AspNetCore.Http;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// The request body as the application reads it: the native body (flow-controlled), with the request's
/// <c>MaxRequestBodySize</c> enforced (413, as Kestrel) and synchronous reads refused unless allowed.
/// </summary>
internal sealed class ServerRequestStream(StreamFeatures features) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Reset() => _read = 0;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (!features.AllowSynchronousIO)
        {
            throw new InvalidOperationException("Synchronous operations are disallowed. Call ReadAsync or set AllowSynchronousIO to true instead.");
        }

        return ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!features.RequestBodyStarted)
        {
            features.RequestBodyStarted = true;
            if (features.MaxRequestBodySizeValue is long max && features.DeclaredContentLength > max)
            {
                throw TooLarge(max);
            }
        }

        int read = await features.NativeRequestBody.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _read += read;
        if (features.MaxRequestBodySizeValue is long limit && _read > limit)
        {
            throw TooLarge(limit);
        }

        return read;
    }

    private static BadHttpRequestException TooLarge(long max) =>
        new($"Request body too large. The max request body size is {max} bytes.", StatusCodes.Status413PayloadTooLarge);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
