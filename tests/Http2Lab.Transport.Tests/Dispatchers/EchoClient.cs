using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Http2Lab.Transport.Tests.Infrastructure;
using Http2Lab.Transport.Tls;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// A byte-oriented test client over plain TCP or TLS (trusting exactly the development certificate). Every read and
/// write is bounded by <see cref="TransportTestHost.Timeout"/>.
/// </summary>
public sealed class EchoClient : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TransportTestHost.Timeout;

    private EchoClient(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
    }

    public Socket Socket { get; }

    public Stream Stream { get; }

    /// <summary>Connects; <paramref name="socketBuffers"/> fixes the client's kernel send and receive buffers (no autotuning).</summary>
    public static async Task<EchoClient> ConnectAsync(Uri url, bool tls, int? socketBuffers = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (socketBuffers is { } size)
        {
            socket.SendBufferSize = size;
            socket.ReceiveBufferSize = size;
        }

        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(IPAddress.Loopback, url.Port, timeout.Token);
            if (!tls)
            {
                return new EchoClient(socket, new NetworkStream(socket, ownsSocket: false));
            }

            string thumbprint = DevelopmentCertificate.Get().Thumbprint;
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 presented && presented.Thumbprint == thumbprint,
            }, timeout.Token);
            return new EchoClient(socket, ssl);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(ReadOnlyMemory<byte> data)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await Stream.WriteAsync(data, timeout.Token);
        await Stream.FlushAsync(timeout.Token);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    /// <summary>Sends <paramref name="data"/> in pieces of <paramref name="piece"/> octets.</summary>
    public async Task SendInPiecesAsync(ReadOnlyMemory<byte> data, int piece = 64 * 1024)
    {
        for (int offset = 0; offset < data.Length; offset += piece)
        {
            await SendAsync(data.Slice(offset, Math.Min(piece, data.Length - offset)));
        }
    }

    /// <summary>Shuts down the sending side (TLS: close_notify first); the client can still read.</summary>
    public async Task ShutdownSendAsync()
    {
        if (Stream is SslStream ssl)
        {
            try
            {
                await ssl.ShutdownAsync().WaitAsync(Timeout);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // SslStream on OpenSSL makes the close_notify with SSL_shutdown on the same SSL object the concurrent
                // read of the echo is using, and now and then that fails ("unexpected eof while reading", seen once in
                // CI). The alert is then not sent; the TCP shutdown below still ends the input (a bare EOF is an end
                // for the server too), and the caller checks every echoed octet, so a server fault still fails.
            }
        }

        Socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Reads exactly <paramref name="count"/> octets.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        var data = new byte[count];
        using var timeout = new CancellationTokenSource(Timeout);
        await Stream.ReadExactlyAsync(data, timeout.Token);
        return data;
    }

    public async Task<string> ReadTextAsync(int count) => Encoding.ASCII.GetString(await ReadExactlyAsync(count));

    /// <summary>
    /// Reads until the server closes; each read and the whole are bounded (<paramref name="overall"/>, default 4 × the
    /// read timeout). With <paramref name="truncatedTlsIsEnd"/>, a TLS end without close_notify counts as the end.
    /// </summary>
    public async Task<byte[]> ReadToEndAsync(int capacity = 0, TimeSpan? overall = null, bool truncatedTlsIsEnd = false)
    {
        var received = new MemoryStream(capacity);
        var buffer = new byte[64 * 1024];
        var deadline = DateTime.UtcNow + (overall ?? Timeout * 4);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The server did not close within the deadline ({received.Length} octets received)");
            using var timeout = new CancellationTokenSource(Timeout);
            int read;
            try
            {
                read = await Stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException) when (truncatedTlsIsEnd && Stream is SslStream)
            {
                return received.ToArray();
            }

            if (read == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, read);
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> while reading, shuts down the sending side, and returns everything read until
    /// the server closed (the echo of a batch).
    /// </summary>
    public async Task<byte[]> EchoBatchAsync(byte[] payload)
    {
        // This client's own close_notify can fail (ShutdownSendAsync: SSL_shutdown beside the read below on the same
        // SSL session); the read then failed at the end as well (SSL_ERROR_SYSCALL, seen on SingleClient in CI), most
        // likely because the failed shutdown left the session broken. What counts here is that every octet came back, which the
        // caller checks, so a TLS end that fails the read ends it too.
        Task<byte[]> reading = ReadToEndAsync(payload.Length, truncatedTlsIsEnd: true);
        await SendInPiecesAsync(payload);
        await ShutdownSendAsync();
        return await reading;
    }

    /// <summary>Sends <paramref name="text"/> and expects exactly it back (Bytes mode).</summary>
    public async Task<string> PingAsync(string text)
    {
        await SendAsync(text);
        return await ReadTextAsync(text.Length);
    }

    /// <summary>Closes with a TCP reset (SO_LINGER 0), the way a crashed or killed client disappears.</summary>
    public void Reset()
    {
        try
        {
            Socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }

        Socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }

        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
