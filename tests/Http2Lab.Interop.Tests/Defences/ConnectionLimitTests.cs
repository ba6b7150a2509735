using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using Http2Lab.Transport.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Limits:MaxConnections: connections beyond the limit are accepted and closed at once (counted in
/// <c>http2lab.connections.rejected</c>) while those within it are served; when one closes, a new one is served.
/// </summary>
public class ConnectionLimitTests
{
    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["MaxConnections"] = "2",
    };

    /// <summary>The dispatchers that serve clients side by side; SingleClient serves one at a time (see the next test).</summary>
    [Theory]
    [MemberData(nameof(Dispatchers.Concurrent), MemberType = typeof(Dispatchers))]
    public async Task A_third_connection_is_closed_at_once_and_a_fourth_is_served_after_one_closes(string dispatcher, bool tls)
    {
        await using DefenceHost host = await DefenceHost.StartAsync(dispatcher, tls, Limits);
        using var rejected = new RejectionCounter(host);
        await using WireClient first = await host.ConnectAndHandshakeAsync();
        await using WireClient second = await host.ConnectAndHandshakeAsync();

        // The third: accepted and closed before TLS or HTTP/2 says a word.
        using (Socket third = await WireClient.ConnectSocketAsync(host.Url))
        {
            var since = Stopwatch.StartNew();
            (long octets, string reason) = await WireClient.ReadSocketUntilClosedAsync(third, Bounds.Prompt);
            Assert.True(octets == 0, $"The rejected connection received {octets} octets before it closed ({reason}).");
            Assert.True(since.Elapsed < Bounds.Prompt, $"closed after {since.Elapsed.TotalSeconds:0.0} s");
        }

        await rejected.WaitForAsync(1, Bounds.Prompt);

        // Those within the limit are still served.
        foreach (WireClient client in new[] { first, second })
        {
            int request = await client.SendRequestAsync("GET", "/");
            (int status, byte[] _, Http2Lab.Http2.Frames.Http2ErrorCode? reset) = await client.ReadResponseAsync(request, Bounds.Prompt);
            Assert.True(status == 200 && reset is null, $"status {status}, reset {reset}; {client.Describe()}");
        }

        // One closes: a new client is served.
        await first.DisposeAsync();
        await host.WaitForLiveConnectionsAsync(1, Bounds.Prompt);
        await host.AssertServesNewClientAsync();
        Assert.Equal(1, rejected.Count);
    }

    /// <summary>
    /// SingleClient serves one client at a time, so the clients it serves never reach the limit. But while it waits for
    /// a client to start talking it holds accepted connections that have said nothing (until the HandshakeTimeout, 30 s
    /// here): those are connections of the endpoint too, and beyond the limit they must be closed at once — otherwise
    /// anyone can make it hold sockets without bound.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SingleClient_holds_no_more_silent_connections_than_the_limit(bool tls)
    {
        const int opened = 5;
        await using DefenceHost host = await DefenceHost.StartAsync(Dispatchers.SingleClient, tls, Limits,
            new Dictionary<string, string?> { ["HandshakeTimeout"] = "00:00:30" });
        using var rejected = new RejectionCounter(host);
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < opened; i++)
            {
                silent.Add(await WireClient.ConnectSocketAsync(host.Url));
            }

            bool[] closed = await Task.WhenAll(silent.Select(async socket =>
            {
                try
                {
                    await WireClient.ReadSocketUntilClosedAsync(socket, Bounds.Prompt);
                    return true;
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }));
            Assert.True(closed.Count(c => c) >= opened - 2,
                $"{closed.Count(c => c)} of {opened} silent connections were closed within {Bounds.Prompt.TotalSeconds:0} s; MaxConnections is 2.\n{host.Log.Tail()}");
            await rejected.WaitForAsync(opened - 2, Bounds.Prompt);
        }
        finally
        {
            foreach (Socket socket in silent)
            {
                socket.Dispose();
            }
        }

        // A new client comes a moment later. (Arriving in the very same instant it can still find the slots taken: the
        // dispatcher looks at the listener before the silent sockets that closed in the same poll — see the report.)
        await Task.Delay(500);
        await host.AssertServesNewClientAsync();
    }

    /// <summary>Counts <c>http2lab.connections.rejected</c> measurements of one host (other tests' hosts run in the same process).</summary>
    private sealed class RejectionCounter : IDisposable
    {
        private readonly MeterListener _listener;
        private readonly ConcurrentQueue<string> _reasons = new();

        public RejectionCounter(DefenceHost host)
        {
            var factory = host.Host.Services.GetRequiredService<IMeterFactory>();
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == TransportMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)
                        && instrument.Name == "http2lab.connections.rejected")
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string reason = "";
                foreach (KeyValuePair<string, object?> tag in tags)
                {
                    if (tag.Key == "error.type")
                    {
                        reason = tag.Value as string ?? "";
                    }
                }

                for (long i = 0; i < value; i++)
                {
                    _reasons.Enqueue(reason);
                }
            });
            _listener.Start();
        }

        public int Count => _reasons.Count;

        public async Task WaitForAsync(int count, TimeSpan bound)
        {
            var waited = Stopwatch.StartNew();
            while (Count < count && waited.Elapsed < bound)
            {
                await Task.Delay(20);
            }

            Assert.True(Count >= count, $"http2lab.connections.rejected counted {Count}, expected {count}");
        }

        public void Dispose() => _listener.Dispose();
    }
}
