using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Http2Lab.Http2;
using Http2Lab.Interop.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Interop.Tests;

/// <summary>The Http2Lab.Http2 meter reports what happened on the wire.</summary>
public class Http2MetricsTests
{
    // Every dispatcher (cleartext: the counters do not depend on TLS): each reports the end of a connection to the
    // protocol its own way, and the connection-error counter is taken then.
    [Theory]
    [MemberData(nameof(ServerMatrix.CleartextEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task Requests_and_connection_errors_are_measured(string endpoint)
    {
        await using TestServer server = await TestServer.StartAsync(endpoints: [endpoint]);
        var factory = server.Host.Services.GetRequiredService<IMeterFactory>();
        var totals = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            // Only this host's meter: other tests' servers run in the same process.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Http2Metrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string key = instrument.Name;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                key += $"|{tag.Value}";
            }

            totals.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => totals.AddOrUpdate(instrument.Name, 1, (_, n) => n + 1));
        listener.Start();

        using (var client = new Http2TestClient(server.Url(endpoint)))
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal("Hello World\n", await client.Client.GetStringAsync("/"));
            }
        }

        // Octets that are neither the preface nor an HTTP/1.x request line (which gets a 505): GOAWAY PROTOCOL_ERROR.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", server.Url(endpoint).Port);
            await tcp.GetStream().WriteAsync("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"u8.ToArray());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            byte[] buffer = new byte[1024];
            while (await tcp.GetStream().ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }

        // The counters are updated as handlers and connections finish; wait (bounded) for them.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (totals.GetValueOrDefault("http2lab.connection.errors|ProtocolError") < 1 || totals.GetValueOrDefault("http2lab.request.duration") < 3)
        {
            await Task.Delay(20, deadline.Token);
        }

        Assert.Equal(3, totals.GetValueOrDefault("http2lab.streams.opened"));
        Assert.Equal(0, totals.GetValueOrDefault("http2lab.streams.active"));
        Assert.Equal(3, totals.GetValueOrDefault("http2lab.request.duration"));
        Assert.Equal(1, totals.GetValueOrDefault("http2lab.connection.errors|ProtocolError"));
    }
}
