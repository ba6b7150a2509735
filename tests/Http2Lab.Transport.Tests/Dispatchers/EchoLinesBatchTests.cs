using System.Text;
using Http2Lab.Transport.Echo;
using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// Lines mode, on every dispatcher (plain and TLS): a 10 MB batch of lines sent while reading, then a half-close;
/// every line comes back ending in CRLF, then the server closes.
/// </summary>
public sealed class EchoLinesBatchTests
{
    // Made once for every case: generating it costs more than some of the echoes.
    private static readonly Lazy<(byte[] Payload, byte[] Expected)> Batch = new(() => Lines(EchoBatch.Size));

    [Theory]
    [MemberData(nameof(AllWithTls), MemberType = typeof(DispatcherTestHost))]
    public async Task A_10_MB_batch_of_lines_comes_back_line_for_line(string dispatcher, bool tls)
    {
        var (payload, expected) = Batch.Value;
        var host = Build(dispatcher, tls, extra: new Dictionary<string, string?> { ["EchoMode"] = "Lines" });
        try
        {
            var url = await StartAsync(host);
            await using var client = await EchoClient.ConnectAsync(url, tls);

            // The echo of the last, unterminated line (at most one piece and CRLF) may wait for our end.
            var echoed = await client.EchoBatchAsync(payload, echoedBeforeEnd: expected.Length - (EchoProcessor.MaxLineLength + 2));

            EchoBatch.AssertSameBytes(expected, echoed);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    /// <summary>
    /// About <paramref name="size"/> octets of lines — short and long (past the 4096-octet piece limit), ending in LF
    /// or CRLF, the last one unterminated — and what the echo must send back: every line ending in CRLF.
    /// </summary>
    private static (byte[] Payload, byte[] Expected) Lines(int size)
    {
        var random = new Random(3);
        var payload = new StringBuilder(size + 64 * 1024);
        var expected = new StringBuilder(size + size / 8);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 .,;:-_";
        var line = new char[20_000];
        for (var n = 0; payload.Length < size; n++)
        {
            int length = n % 500 == 499 ? random.Next(4_000, 20_000) : random.Next(0, 200);
            for (var i = 0; i < length; i++)
            {
                line[i] = alphabet[random.Next(alphabet.Length)];
            }

            if (line.AsSpan(0, length).SequenceEqual("quit"))
            {
                line[length++] = '!'; // data, not the command
            }

            payload.Append(line, 0, length).Append(random.Next(2) == 0 ? "\n" : "\r\n");
            expected.Append(line, 0, length).Append("\r\n");
        }

        // A last line without terminator: the half-close ends it, and it is echoed like the others.
        payload.Append("the end");
        expected.Append("the end\r\n");
        return (Encoding.ASCII.GetBytes(payload.ToString()), Encoding.ASCII.GetBytes(expected.ToString()));
    }
}
