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

    /// <summary>
    /// Shuts down the sending side (TLS: close_notify first); the client can still read. Not while a read is in flight
    /// on a TLS stream: SslStream on OpenSSL makes the alert with SSL_shutdown on the SSL session that read is using,
    /// and that fails now and then (SSL_ERROR_SYSCALL from CreateShutdownToken, seen in CI).
    /// </summary>
    public async Task ShutdownSendAsync()
    {
        if (Stream is SslStream ssl)
        {
            await ssl.ShutdownAsync().WaitAsync(Timeout);
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

    /// <summary>Reads until the server closes; each read and the whole are bounded (<paramref name="overall"/>, default 4 × the read timeout).</summary>
    public Task<byte[]> ReadToEndAsync(int capacity = 0, TimeSpan? overall = null) => ReadUpToAsync(int.MaxValue, capacity, overall);

    /// <summary>Reads until <paramref name="count"/> octets have come or the server closed; bounded like <see cref="ReadToEndAsync"/>.</summary>
    private async Task<byte[]> ReadUpToAsync(int count, int capacity = 0, TimeSpan? overall = null)
    {
        var received = new MemoryStream(capacity);
        var buffer = new byte[64 * 1024];
        var deadline = DateTime.UtcNow + (overall ?? Timeout * 4);
        while (received.Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not read within the deadline ({received.Length} octets received)");
            using var timeout = new CancellationTokenSource(Timeout);
            int read = await Stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - received.Length)), timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>
    /// Sends <paramref name="payload"/> while reading its echo; once <paramref name="echoedBeforeEnd"/> octets are back
    /// (default: all of it), shuts down the sending side and reads to the server's end, which must be clean (TLS: its
    /// close_notify). Returns everything read. Reads are bounded as in <see cref="ReadToEndAsync"/>.
    /// </summary>
    public async Task<byte[]> EchoBatchAsync(byte[] payload, int? echoedBeforeEnd = null, TimeSpan? overall = null)
    {
        // Our end goes out with no read in flight (see ShutdownSendAsync); what the server holds until our end (a Lines
        // echo's last, unterminated line) comes after it. Waiting for less than all is safe; for more would hang.
        Task<byte[]> echoing = ReadUpToAsync(echoedBeforeEnd ?? payload.Length, payload.Length, overall);
        await SendInPiecesAsync(payload);
        byte[] echoed = await echoing;
        await ShutdownSendAsync();
        byte[] rest = await ReadToEndAsync(overall: overall);
        return [.. echoed, .. rest];
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
