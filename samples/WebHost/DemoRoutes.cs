using System.Buffers;
using System.Text;
using Http2Lab.Http2.Application;

namespace Http2Lab.Samples.WebHost;

/// <summary>The sample's routes; tests map the same ones on their own hosts.</summary>
public static class DemoRoutes
{
    /// <summary>Largest body <c>GET /bytes/{n}</c> serves.</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>Longest delay <c>GET /slow?ms=N</c> accepts.</summary>
    public const int MaxSlowMilliseconds = 60_000;

    private static readonly byte[] Hello = "Hello World\n"u8.ToArray();

    /// <summary>Maps <c>/</c>, <c>/healthz</c>, <c>/echo</c>, <c>/bytes/{n}</c>, <c>/headers</c> and <c>/slow</c>.</summary>
    public static void Map(Http2Router router)
    {
        // For load balancers' health checks (deploy/haproxy.cfg): 200 "ok" while the host runs.
        router.MapGet("/healthz", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            await response.WriteAsync("ok\n");
        });

        router.MapGet("/", async (request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            await response.WriteAsync(Hello);
        });

        router.MapPost("/echo", async (request, response) =>
        {
            // Streamed: each piece goes back as it arrives, so memory stays bounded for any size.
            string? type = request.GetHeader("content-type");
            response.SetHeader("content-type", type ?? "application/octet-stream");
            byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                await using Stream body = request.OpenDecodedBody();
                int read;
                while ((read = await body.ReadAsync(chunk, request.Aborted)) > 0)
                {
                    await response.WriteAsync(chunk.AsMemory(0, read), request.Aborted);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        });

        router.MapPrefix("GET", "/bytes/", async (request, response) =>
        {
            if (!long.TryParse(request.Path.AsSpan("/bytes/".Length), out long count) || count < 0 || count > MaxBytes)
            {
                response.StatusCode = 400;
                await response.WriteAsync($"n must be 0..{MaxBytes}\n");
                return;
            }

            response.SetHeader("content-type", "application/octet-stream");
            response.SetHeader("content-length", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            byte[] block = new byte[(int)Math.Min(count, 64 * 1024)];
            for (int i = 0; i < block.Length; i++)
            {
                block[i] = (byte)('a' + (i % 26));
            }

            for (long sent = 0; sent < count;)
            {
                int n = (int)Math.Min(block.Length, count - sent);
                await response.WriteAsync(block.AsMemory(0, n), request.Aborted);
                sent += n;
            }
        });

        // The connection the request came on, as Http2ConnectionInfo gives it to handlers.
        router.MapGet("/connection", async (request, response) =>
        {
            Http2ConnectionInfo connection = request.Connection;
            var text = new StringBuilder();
            text.Append("id: ").Append(connection.Id).Append('\n');
            text.Append("remote: ").Append(connection.RemoteEndPoint).Append('\n');
            text.Append("local: ").Append(connection.LocalEndPoint).Append('\n');
            if (connection.IsTls)
            {
                text.Append("tls: ").Append(connection.TlsProtocol).Append(' ').Append(connection.CipherSuite).Append('\n');
                text.Append("alpn: ").Append(connection.ApplicationProtocol).Append('\n');
                text.Append("sni: ").Append(connection.HostName).Append('\n');
                text.Append("client certificate: ").Append(connection.ClientCertificate?.Subject ?? "none").Append('\n');
            }

            response.SetHeader("content-type", "text/plain; charset=utf-8");
            await response.WriteAsync(text.ToString());
        });

        router.MapGet("/headers", async (request, response) =>
        {
            var text = new StringBuilder();
            text.Append(":method: ").Append(request.Method).Append('\n');
            text.Append(":scheme: ").Append(request.Scheme).Append('\n');
            text.Append(":authority: ").Append(request.Authority).Append('\n');
            text.Append(":path: ").Append(request.PathAndQuery).Append('\n');
            foreach (KeyValuePair<string, string> header in request.Headers)
            {
                text.Append(header.Key).Append(": ").Append(header.Value).Append('\n');
            }

            response.SetHeader("content-type", "text/plain; charset=utf-8");
            await response.WriteAsync(text.ToString());
        });

        router.MapGet("/slow", async (request, response) =>
        {
            if (!int.TryParse(request.GetQueryValue("ms") ?? "1000", out int ms) || ms < 0 || ms > MaxSlowMilliseconds)
            {
                response.StatusCode = 400;
                await response.WriteAsync($"ms must be 0..{MaxSlowMilliseconds}\n");
                return;
            }

            await Task.Delay(ms, request.Aborted);
            response.SetHeader("content-type", "text/plain");
            await response.WriteAsync($"waited {ms} ms\n");
        });
    }
}
