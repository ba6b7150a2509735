using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Http2Lab.Transport.Pipeline;
using Http2Lab.Transport.Tests.Infrastructure;

namespace Http2Lab.Transport.Tests;

/// <summary>The "Http2Lab.Transport" meter, as a metrics collector would see it.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Connections_and_failed_handshakes_are_measured_per_endpoint()
    {
        // Endpoint names unique to this test, so parallel tests' measurements are filtered out.
        var plain = "metrics-plain-" + Guid.NewGuid().ToString("N");
        var tls = "metrics-tls-" + Guid.NewGuid().ToString("N");
        var measurements = new ConcurrentQueue<(string Instrument, string Endpoint, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TransportMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == TransportMetrics.EndpointTag && (string?)tag.Value is { } endpoint && (endpoint == plain || endpoint == tls))
                {
                    measurements.Enqueue((instrument.Name, endpoint, value));
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var host = TransportTestHost.Build(new Dictionary<string, string?>
        {
            [$"Http2Lab:Endpoints:{plain}:Url"] = "http://127.0.0.1:0",
            [$"Http2Lab:Endpoints:{plain}:Protocol"] = "Echo",
            [$"Http2Lab:Endpoints:{tls}:Url"] = "https://127.0.0.1:0",
            [$"Http2Lab:Endpoints:{tls}:Protocol"] = "Echo",
        });
        try
        {
            var plainUrl = await TransportTestHost.StartAsync(host, plain);
            var tlsUrl = await TransportTestHost.StartAsync(host, tls);

            await using (var client = await LineClient.ConnectAsync(plainUrl))
            {
                await client.SendAsync("measured\nquit\n");
                Assert.Equal("measured", await client.ReadLineAsync());
                Assert.Equal("", await client.ReadToEndAsync());
            }

            await using (var notTls = await LineClient.ConnectAsync(tlsUrl))
            {
                await notTls.SendAsync("plaintext, not a ClientHello\r\n\r\n");
                Assert.True(await notTls.IsClosedByServerAsync());
            }

            // The close is measured after the client saw EOF; give the server a moment.
            var deadline = DateTime.UtcNow + TransportTestHost.Timeout;
            while (measurements.Count(m => m.Instrument == "http2lab.connection.duration") < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }

        double Sum(string instrument, string endpoint) =>
            measurements.Where(m => m.Instrument == instrument && m.Endpoint == endpoint).Sum(m => m.Value);

        Assert.Equal(1, Sum("http2lab.connections.opened", plain));
        Assert.Equal(0, Sum("http2lab.connections.active", plain));
        Assert.Single(measurements, m => m.Instrument == "http2lab.connection.duration" && m.Endpoint == plain);
        Assert.Equal(0, Sum("http2lab.tls.handshake.failures", plain));
        Assert.Equal(1, Sum("http2lab.tls.handshake.failures", tls));
        Assert.Equal(1, Sum("http2lab.connections.opened", tls));
    }
}
