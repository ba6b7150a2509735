using Http2Lab.Http2.Application;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// The routes a defence host serves. Downloads write from one shared block, so the only memory a stalled
/// download can pin is what the server itself buffers — which is what the memory bounds are about.
/// </summary>
public static class DefenceRoutes
{
    /// <summary>The body of <c>GET /</c>.</summary>
    public const string Hello = "defended\n";

    private static readonly byte[] Block = CreateBlock();

    public static void Map(Http2Router router)
    {
        router.MapGet("/", (request, response) => response.WriteAsync(Hello).AsTask());

        // GET /download?bytes=N: N octets in 64 KiB writes, each waiting for the client's window.
        router.MapGet("/download", async (request, response) =>
        {
            long count = long.Parse(request.GetQueryValue("bytes") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            response.SetHeader("content-length", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await response.StartAsync();
            for (long sent = 0; sent < count;)
            {
                int n = (int)Math.Min(Block.Length, count - sent);
                await response.WriteAsync(Block.AsMemory(0, n), request.Aborted);
                sent += n;
            }
        });

        // POST /upload: reads the whole body, then answers with its length.
        router.MapPost("/upload", async (request, response) =>
        {
            byte[] chunk = new byte[16 * 1024];
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.Aborted)) > 0)
            {
                total += read;
            }

            await response.WriteAsync($"{total}\n");
        });

        // POST /early: answers at once without reading the body.
        router.MapPost("/early", (request, response) => response.WriteAsync("early\n").AsTask());

        // GET /slow?ms=N: answers after N ms (a stream that stays open).
        router.MapGet("/slow", async (request, response) =>
        {
            int ms = int.Parse(request.GetQueryValue("ms") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(ms, request.Aborted);
            await response.WriteAsync("slow\n");
        });
    }

    private static byte[] CreateBlock()
    {
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)('a' + (i % 26));
        }

        return block;
    }
}
