using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Http2Lab.Interop.Tests.Application;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>
/// The ASP.NET Core server seen from below: paths as sent by curl, request trailers on raw frames, and the hosting
/// layer's own activity and metric fed by the server's features.
/// </summary>
[Collection(AspNetCoreCollection.Name)]
public sealed class AspNetCoreWireTests(AspNetCoreServer server)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("/path/static/../secret.json", "/path/secret.json")]
    [InlineData("/path/a/./b", "/path/a/b")]
    [InlineData("/path/%2e%2e/x", "/x")]
    [InlineData("/path/caf%C3%A9", "/path/café")]
    [InlineData("/path/a%2Fb", "/path/a%2Fb")]
    [InlineData("/path/100%2525", "/path/100%25")]
    public async Task The_application_sees_the_path_decoded_and_without_dot_segments(string sent, string seen)
    {
        // --path-as-is: curl would otherwise remove the dot segments itself.
        ToolResult result = await ExternalTool.RunAsync(ExternalTool.Curl(),
            ["--http2-prior-knowledge", "--path-as-is", "-sS", "--max-time", "10", server.Url("h2c") + sent.TrimStart('/')], Bound);

        Assert.True(result.ExitCode == 0, result.Describe());
        if (seen.StartsWith("/path/", StringComparison.Ordinal))
        {
            using JsonDocument body = JsonDocument.Parse(result.StdOut);
            Assert.Equal(seen, body.RootElement.GetProperty("path").GetString());
            Assert.Equal(sent, body.RootElement.GetProperty("rawTarget").GetString());
        }
        else
        {
            // Normalised out of /path/: no route of the sample matches any more.
            Assert.DoesNotContain("rawTarget", result.StdOut);
        }
    }

    [Fact]
    public async Task Request_trailers_reach_the_application()
    {
        await using RawH2Client client = await RawH2Client.ConnectAsync(server.Url("h2c"));
        int stream = await client.SendRequestAsync("POST", "/echo", endStream: false, ("content-type", "text/plain"), ("te", "trailers"));
        await client.SendDataAsync(stream, Encoding.UTF8.GetBytes("body"), endStream: false);
        await client.SendHeadersAsync(stream, [("x-checksum", "c0ffee")], endStream: true);

        RawResponse response = await client.ReadResponseAsync(stream, Bound);

        Assert.Equal(200, response.Status);
        Assert.Equal("body", response.BodyText);
        Assert.NotNull(response.Trailers);
        Assert.Contains(new KeyValuePair<string, string>("x-echoed-checksum", "c0ffee"), response.Trailers!);
    }

    [Fact]
    public async Task The_hosting_activity_continues_the_callers_trace_and_the_duration_metric_is_tagged()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        string route = "/hello/{name}";
        var activities = new List<Activity>();
        var measurements = new List<(double Value, Dictionary<string, object?> Tags)>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == traceId)
                {
                    lock (activities)
                    {
                        activities.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            if (map.TryGetValue("http.route", out object? r) && (string?)r == route)
            {
                lock (measurements)
                {
                    measurements.Add((value, map));
                }
            }
        });
        meterListener.Start();

        using var client = new Http2TestClient(server.Url("h2"), timeout: Bound);
        using var request = Http2TestClient.Request(HttpMethod.Get, "/hello/trace");
        request.Headers.Add("traceparent", $"00-{traceId}-{parentSpan}-01");
        using HttpResponseMessage response = await client.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The activity stops and the measurement is recorded when the server disposes the request's context, just
        // after the response went out.
        var deadline = Stopwatch.StartNew();
        while ((activities.Count == 0 || measurements.Count == 0) && deadline.Elapsed < Bound)
        {
            await Task.Delay(20);
        }

        Activity activity = Assert.Single(activities);
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", activity.OperationName);
        Assert.Equal(parentSpan, activity.ParentSpanId);
        Assert.Equal(ActivityKind.Server, activity.Kind);

        // The meter is process-wide: other tests' servers may record the same route meanwhile, so look for ours.
        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Value > 0
                && Equals(m.Tags.GetValueOrDefault("http.request.method"), "GET")
                && Equals(m.Tags.GetValueOrDefault("http.response.status_code"), 200)
                && Equals(m.Tags.GetValueOrDefault("url.scheme"), "https")
                && Equals(m.Tags.GetValueOrDefault("network.protocol.version"), "2"));
        }
    }
}
