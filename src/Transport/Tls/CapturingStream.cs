namespace Http2Lab.Transport.Tls;

/// <summary>
/// A pass-through stream that keeps a copy of the first octets read (the ClientHello), so a refused handshake can
/// be explained (which ALPN ids the client offered, which SslStream does not expose). Synchronous I/O only.
/// </summary>
internal sealed class CapturingStream(Stream inner, int limit) : Stream
{
    private byte[]? _capture = new byte[limit];
    private int _captured;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Returns what was captured and stops capturing.</summary>
    public ReadOnlySpan<byte> StopCapture()
    {
        ReadOnlySpan<byte> captured = _capture is null ? default : _capture.AsSpan(0, _captured);
        _capture = null;
        return captured;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        if (_capture is not null && read > 0)
        {
            int keep = Math.Min(read, _capture.Length - _captured);
            buffer[..keep].CopyTo(_capture.AsSpan(_captured));
            _captured += keep;
        }

        return read;
    }

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
