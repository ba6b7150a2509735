using Http2Lab.Transport.Tests.Infrastructure;
using static Http2Lab.Transport.Tests.Dispatchers.DispatcherTestHost;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>
/// Bytes mode, on every dispatcher (plain and TLS): the client sends a batch while reading, shuts down its sending
/// side, and reads until the server closes — which it does once everything owed has been written back.
/// </summary>
public sealed class EchoBytesBatchTests
{
    // Made once for every case.
    private static readonly Lazy<byte[]> Batch = new(() => EchoBatch.RandomBytes(EchoBatch.Size, seed: 1));

    [Theory]
    [MemberData(nameof(AllWithTls), MemberType = typeof(DispatcherTestHost))]
    public async Task A_10_MB_batch_comes_back_byte_for_byte(string dispatcher, bool tls)
    {
        var host = Build(dispatcher, tls, extra: new Dictionary<string, string?> { ["EchoMode"] = "Bytes" });
        try
        {
            var url = await StartAsync(host);
            await using var client = await EchoClient.ConnectAsync(url, tls);

            var echoed = await client.EchoBatchAsync(Batch.Value);

            EchoBatch.AssertSameBytes(Batch.Value, echoed);
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Theory]
    [MemberData(nameof(AllWithTls), MemberType = typeof(DispatcherTestHost))]
    public async Task With_the_smallest_echo_buffer_a_batch_still_comes_back_whole(string dispatcher, bool tls)
    {
        // 64 octets held per client: input pauses and resumes thousands of times for one megabyte.
        var payload = EchoBatch.RandomBytes(1024 * 1024, seed: 2);
        var host = Build(dispatcher, tls, extra: new Dictionary<string, string?> { ["EchoMode"] = "Bytes", ["EchoBufferSize"] = "64" });
        try
        {
            var url = await StartAsync(host);
            await using var client = await EchoClient.ConnectAsync(url, tls);

            EchoBatch.AssertSameBytes(payload, await client.EchoBatchAsync(payload));
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }
}
