using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// A raw HTTP/2 client over one real loopback socket (h2c with prior knowledge, or TLS with ALPN h2) that misbehaves
/// exactly as a test says: it sends only what it is told to — a partial preface, HEADERS without END_HEADERS, half a
/// frame, floods — and it reads the socket only when the test reads (<see cref="ReadFrameAsync"/> and the helpers
/// built on it), so "never reads" is simply never calling them. While reading it acknowledges the server's SETTINGS
/// and PINGs and returns window for DATA, unless told not to (<see cref="AckSettings"/>, <see cref="AutoWindowUpdate"/>).
/// Every read is bounded and says what it saw when the bound passes.
/// </summary>
internal sealed partial class WireClient : IAsyncDisposable
{
    /// <summary>Bound for connecting and the TLS handshake.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly FrameBuilder _client = new();
    private int _nextStreamId = 1;

    private WireClient(Socket socket, Stream stream, string authority)
    {
        _socket = socket;
        _stream = stream;
        Authority = authority;
    }

    /// <summary>The <c>:authority</c> of requests, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string Authority { get; }

    /// <summary>The scheme of requests: <c>http</c> or <c>https</c>.</summary>
    public string Scheme => _stream is SslStream ? "https" : "http";

    /// <summary>Whether reading acknowledges the server's SETTINGS (true, as every client must).</summary>
    public bool AckSettings { get; set; } = true;

    /// <summary>Whether reading a DATA frame returns its window on the connection and the stream at once.</summary>
    public bool AutoWindowUpdate { get; set; } = true;

    /// <summary>
    /// Connects to <paramref name="url"/> (http: TCP only; https: TLS with ALPN h2, any certificate accepted). Sends
    /// nothing of HTTP/2 yet. <paramref name="receiveBufferSize"/> shrinks the client's socket buffer (set before
    /// connecting, so TCP's window follows it).
    /// </summary>
    public static async Task<WireClient> ConnectAsync(Uri url, int? receiveBufferSize = null)
    {
        Socket socket = await ConnectSocketAsync(url, receiveBufferSize);
        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (url.Scheme == Uri.UriSchemeHttps)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                using var timeout = new CancellationTokenSource(ConnectTimeout);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, timeout.Token);
                Assert.Equal(SslApplicationProtocol.Http2, ssl.NegotiatedApplicationProtocol);
                stream = ssl;
            }

            return new WireClient(socket, stream, $"{url.Host}:{url.Port}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A plain TCP connection to <paramref name="url"/>'s port, nothing sent (TLS or not).</summary>
    public static async Task<Socket> ConnectSocketAsync(Uri url, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (receiveBufferSize is int size)
            {
                socket.ReceiveBufferSize = size;
            }

            using var timeout = new CancellationTokenSource(ConnectTimeout);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(url.Host), url.Port), timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads <paramref name="socket"/> until the server closes it: the octets received and how it ended (<c>EOF</c>, or
    /// the socket error of a reset). Throws <see cref="TimeoutException"/> when it stays open for <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(long Octets, string Reason)> ReadSocketUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        byte[] buffer = new byte[16 * 1024];
        long octets = 0;
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                octets += read;
            }

            return (octets, "EOF");
        }
        catch (SocketException ex)
        {
            return (octets, ex.SocketErrorCode.ToString());
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"The server kept the connection open for {timeout.TotalSeconds:0.#} s ({octets} octets received).");
        }
    }

    // ---- sending

    /// <summary>Preface and SETTINGS, then reads until the server's SETTINGS (acknowledging it when <see cref="AckSettings"/>).</summary>
    public async Task HandshakeAsync(IReadOnlyList<KeyValuePair<SettingsParameter, uint>>? settings = null, int connectionWindowIncrement = 0)
    {
        await SendPrefaceAsync(settings, connectionWindowIncrement);
        await ReadUntilAsync(f => f.Type == FrameType.Settings && !f.IsAck, Bounds.Read);
    }

    /// <summary>
    /// The client preface, our SETTINGS and optionally a connection WINDOW_UPDATE; with <paramref name="blindSettingsAck"/>
    /// also a SETTINGS ACK sent without reading the server's SETTINGS (for clients that never read).
    /// </summary>
    public Task SendPrefaceAsync(IReadOnlyList<KeyValuePair<SettingsParameter, uint>>? settings = null, int connectionWindowIncrement = 0,
        bool blindSettingsAck = false)
    {
        KeyValuePair<SettingsParameter, uint>[] ours = [.. settings ?? []];
        return WriteAsync(output =>
        {
            output.Write(Http2Constants.ClientPreface);
            FrameWriter.WriteSettings(output, ours);
            if (connectionWindowIncrement > 0)
            {
                FrameWriter.WriteWindowUpdate(output, 0, connectionWindowIncrement);
            }

            if (blindSettingsAck)
            {
                FrameWriter.WriteSettingsAck(output);
            }
        });
    }

    /// <summary>
    /// Encodes a request's HEADERS on the next stream id into <paramref name="output"/> (for batching several into
    /// one write) and returns the id. Without <paramref name="endHeaders"/> the header block is left open.
    /// </summary>
    public int WriteRequest(IBufferWriter<byte> output, string method, string path, bool endStream, bool endHeaders = true,
        params (string Name, string Value)[] headers)
    {
        int streamId = _nextStreamId;
        _nextStreamId += 2;
        byte[] block = _client.HeaderBlock([.. FrameBuilder.RequestFields(method, path, Scheme, Authority), .. headers]);
        output.Write(endHeaders
            ? FrameBuilder.Headers(streamId, block, endStream)
            : FrameBuilder.HeadersFrame(streamId, block, endStream ? FrameFlags.EndStream : FrameFlags.None));
        return streamId;
    }

    /// <summary>Sends a request's HEADERS and returns its stream id.</summary>
    public async Task<int> SendRequestAsync(string method, string path, bool endStream = true, params (string Name, string Value)[] headers)
    {
        int streamId = 0;
        await WriteAsync(output => streamId = WriteRequest(output, method, path, endStream, endHeaders: true, headers));
        return streamId;
    }

    public Task SendDataAsync(int streamId, ReadOnlyMemory<byte> data, bool endStream) =>
        WriteAsync(output => FrameWriter.WriteData(output, streamId, data.Span, endStream));

    /// <summary>Builds frames (or any octets) and writes them in one socket write.</summary>
    public async Task WriteAsync(Action<ArrayBufferWriter<byte>> build)
    {
        var output = new ArrayBufferWriter<byte>();
        build(output);
        await WriteAsync(output.WrittenMemory);
    }

    /// <summary>Writes raw octets, bounded by <see cref="Bounds.Read"/>.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> octets)
    {
        using var timeout = new CancellationTokenSource(Bounds.Read);
        await _writeLock.WaitAsync(timeout.Token);
        try
        {
            await _stream.WriteAsync(octets, timeout.Token);
            await _stream.FlushAsync(timeout.Token);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes what reading owes the server (ACKs, window); a connection already closing just drops it.</summary>
    private async Task ReplyAsync(Action<ArrayBufferWriter<byte>> build)
    {
        try
        {
            await WriteAsync(build);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The server is closing the connection; what it ends with is what the test reads next.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
        }

        _socket.Dispose();
        _writeLock.Dispose();
    }
}
