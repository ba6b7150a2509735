using System.Net.Security;
using Http2Lab.Transport.Pipeline;

namespace Http2Lab.Transport.Tests;

/// <summary>Reading the offered ALPN list from a real ClientHello, which the refusal log line reports.</summary>
public sealed class ClientHelloAlpnReaderTests
{
    [Fact]
    public async Task The_protocols_a_real_client_offers_are_read_in_order()
    {
        var hello = await CaptureClientHelloAsync(SslApplicationProtocol.Http2, SslApplicationProtocol.Http11);

        Assert.Equal(["h2", "http/1.1"], ClientHelloAlpnReader.TryRead(hello));
    }

    [Fact]
    public async Task A_client_without_alpn_offers_nothing()
    {
        var hello = await CaptureClientHelloAsync();

        Assert.Equal([], ClientHelloAlpnReader.TryRead(hello));
    }

    [Fact]
    public async Task Truncated_or_non_tls_data_gives_no_answer_rather_than_a_wrong_one()
    {
        var hello = await CaptureClientHelloAsync(SslApplicationProtocol.Http2);

        Assert.Null(ClientHelloAlpnReader.TryRead(hello.AsSpan(0, hello.Length / 2)));
        Assert.Null(ClientHelloAlpnReader.TryRead("GET / HTTP/1.1\r\n\r\n"u8));
        Assert.Null(ClientHelloAlpnReader.TryRead([]));
    }

    private static async Task<byte[]> CaptureClientHelloAsync(params SslApplicationProtocol[] alpn)
    {
        var capture = new CaptureStream();
        await using var client = new SslStream(capture);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = alpn.Length == 0 ? null : [.. alpn],
        };
        await Assert.ThrowsAnyAsync<Exception>(() => client.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(10)));
        return capture.Written.ToArray();
    }

    /// <summary>Keeps what the client writes (its ClientHello) and ends the conversation at the first read.</summary>
    private sealed class CaptureStream : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("Capture only.");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("Capture only."));

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
