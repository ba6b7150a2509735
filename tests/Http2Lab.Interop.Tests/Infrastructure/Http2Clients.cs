using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// An <see cref="HttpClient"/> that speaks only HTTP/2 (h2c with prior knowledge for http://, ALPN h2 for
/// https://), trusts the development certificate, and counts the TCP connections it opens, so a test can
/// tell "the connection survived" from "the client quietly reconnected".
/// </summary>
public sealed class Http2TestClient : IDisposable
{
    private int _connections;

    public Http2TestClient(Uri baseAddress, Action<SocketsHttpHandler>? configure = null, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
            ConnectCallback = async (context, cancellationToken) =>
            {
                Interlocked.Increment(ref _connections);
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        configure?.Invoke(handler);
        Client = new HttpClient(handler)
        {
            BaseAddress = baseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
    }

    public HttpClient Client { get; }

    /// <summary>
    /// A request pinned to HTTP/2 (HttpClient's default version applies only to the requests it creates itself).
    /// </summary>
    public static HttpRequestMessage Request(HttpMethod method, string pathAndQuery) => new(method, pathAndQuery)
    {
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>TCP connections opened so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Dispose() => Client.Dispose();
}
