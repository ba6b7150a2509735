using System.Buffers;
using System.IO.Pipelines;

namespace Http2Lab.AspNetCore.Features;

/// <summary>
/// <c>HttpResponse.BodyWriter</c>: collects what the application writes in one pooled buffer and hands it to the
/// native response at each flush (the first flush starts the response). The buffer is kept for the next request.
/// </summary>
internal sealed class ResponseBodyWriter(StreamFeatures features) : PipeWriter
{
    private const int MinimumBufferSize = 4096;
    private byte[]? _buffer;
    private int _written;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_buffer is null || _written + bytes > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the memory returned by GetMemory.");
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        int count = _written;
        _written = 0;
        // Even with nothing buffered, a flush starts the response (headers go out), as on Kestrel.
        await features.WriteBodyAsync(count == 0 ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    public override void CancelPendingFlush()
    {
        // Writes wait only for flow-control window, and that wait follows the request's abort token.
    }

    public override void Complete(Exception? exception = null)
    {
        // The response ends when the application returns (or completes it through IHttpResponseBodyFeature).
    }

    /// <summary>Drops what is buffered (the response is being replaced by an error).</summary>
    public void Discard() => _written = 0;

    /// <summary>Returns a large buffer to the pool between requests; a small one stays for the next request.</summary>
    public void Reset()
    {
        _written = 0;
        if (_buffer is { Length: > 4 * MinimumBufferSize })
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    private byte[] Reserve(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumBufferSize));
        }
        else if (_buffer.Length - _written < needed)
        {
            // Growing keeps one contiguous buffer; serializers flush every few kilobytes, so it stays small.
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }
}
