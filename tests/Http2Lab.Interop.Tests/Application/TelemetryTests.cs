using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Http2Lab.Http2;
using Http2Lab.Http2.Application;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// The router's request span (activity source <c>Http2Lab</c>), the <c>http2lab.request.duration</c> histogram and
/// the handler's log scope. Other tests run in the same process, so each listens for its own unique path only.
/// </summary>
public sealed class TelemetryTests
{
    /// <summary>Collects the stopped <c>Http2Lab</c> spans of requests for <paramref name="path"/> only.</summary>
    private static ActivityListener ListenForSpans(string path, ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Http2Lab",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("url.path") as string == path)
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Fact]
    public async Task A_routed_request_gets_a_server_span_whose_parent_is_the_traceparent()
    {
        string path = $"/traced/{Guid.NewGuid():N}";
        var spans = new ConcurrentQueue<Activity>();
        using ActivityListener listener = ListenForSpans(path, spans);
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet(path, async (request, response) =>
        {
            response.StatusCode = 201;
            await response.WriteAsync("traced");
        }));
        await using RawH2Client client = await host.ConnectAsync();

        const string traceId = "0af7651916cd43dd8448eb211c80319c";
        const string parentId = "b7ad6b7169203331";
        RawResponse response = await client.SendAndReadAsync("GET", path,
            ("traceparent", $"00-{traceId}-{parentId}-01"), ("tracestate", "vendor=value"));

        Assert.Equal(201, response.Status);
        Activity span = Assert.Single(spans);
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(traceId, span.TraceId.ToHexString());
        Assert.Equal(parentId, span.ParentSpanId.ToHexString());
        Assert.Equal("vendor=value", span.TraceStateString);
        Assert.Equal("GET", span.GetTagItem("http.request.method"));
        Assert.Equal("http", span.GetTagItem("url.scheme"));
        Assert.Equal(201, span.GetTagItem("http.response.status_code"));
    }

    [Fact]
    public async Task Without_a_traceparent_the_span_starts_a_trace()
    {
        string path = $"/root/{Guid.NewGuid():N}";
        var spans = new ConcurrentQueue<Activity>();
        using ActivityListener listener = ListenForSpans(path, spans);
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet(path, (request, response) => response.WriteAsync("x").AsTask()));
        await using RawH2Client client = await host.ConnectAsync();

        await client.SendAndReadAsync("GET", path);

        Activity span = Assert.Single(spans);
        Assert.Equal(default, span.ParentSpanId);
    }

    [Fact]
    public async Task The_application_handler_path_gets_no_span_from_the_router_wrapper()
    {
        // The ASP.NET Core server plugs in through Http2ApplicationHandler and has its own span.
        string path = $"/app/{Guid.NewGuid():N}";
        int spans = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Http2Lab",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("url.path") as string == path)
                {
                    Interlocked.Increment(ref spans);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using AppHost host = await AppHost.StartAsync(services: services =>
            services.AddSingleton(new Http2ApplicationHandler { Handler = (request, response) => response.WriteAsync("app").AsTask() }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", path);

        Assert.Equal("app", response.BodyText);
        Assert.Equal(0, Volatile.Read(ref spans));
    }

    [Fact]
    public async Task Request_duration_is_recorded_in_seconds_with_method_status_and_scheme_and_fine_buckets()
    {
        var measurements = new ConcurrentQueue<(double Value, Dictionary<string, object?> Tags)>();
        IReadOnlyList<double>? buckets = null;
        await using AppHost host = await AppHost.StartAsync(routes: router =>
        {
            router.MapGet("/measured", (request, response) => response.WriteAsync("x").AsTask());
            router.MapPost("/measured", (request, response) =>
            {
                response.StatusCode = 202;
                return Task.CompletedTask;
            });
        });
        var factory = host.Host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "http2lab.request.duration" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    buckets = ((Histogram<double>)instrument).Advice?.HistogramBucketBoundaries;
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            measurements.Enqueue((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        await using RawH2Client client = await host.ConnectAsync();

        await client.SendAndReadAsync("GET", "/measured");
        await client.SendAndReadAsync("POST", "/measured");
        await client.SendAndReadAsync("BREW", "/measured"); // not a standard method: one tag value for all of those

        Assert.Equal(3, measurements.Count);
        Assert.All(measurements, m => Assert.InRange(m.Value, 0, 10));
        Assert.Contains(measurements, m => (string?)m.Tags["http.request.method"] == "GET" && (int?)m.Tags["http.response.status_code"] == 200 && (string?)m.Tags["url.scheme"] == "http");
        Assert.Contains(measurements, m => (string?)m.Tags["http.request.method"] == "POST" && (int?)m.Tags["http.response.status_code"] == 202);
        Assert.Contains(measurements, m => (string?)m.Tags["http.request.method"] == "_OTHER" && (int?)m.Tags["http.response.status_code"] == 405);
        Assert.NotNull(buckets);
        Assert.True(buckets![0] <= 0.0001, $"the first bucket ends at {buckets[0]} s; sub-millisecond requests need finer ones");
    }

    [Fact]
    public async Task A_handler_logs_within_a_scope_of_connection_stream_and_client_address()
    {
        var scopes = new ScopeCapture();
        TaskCompletionSource logged = Bounded.Source();
        await using AppHost host = await AppHost.StartAsync(
            services: services => services.AddLogging(logging => logging.AddProvider(scopes)),
            routes: router => router.MapGet("/logged", (request, response) =>
            {
                ILogger logger = request.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Handler");
                logger.LogInformation("inside the handler");
                logged.TrySetResult();
                return response.WriteAsync("x").AsTask();
            }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/logged");
        await Bounded.Within(logged.Task, "the handler's log line");

        Assert.Equal(200, response.Status);
        Dictionary<string, object?> scope = Assert.Single(scopes.ScopesOf("inside the handler"));
        Assert.Equal(response.StreamId, scope["StreamId"]);
        Assert.False(string.IsNullOrEmpty(scope["ConnectionId"] as string));
        Assert.StartsWith("127.0.0.1:", scope["RemoteAddress"] as string);
    }

    /// <summary>A logger provider that records, per message, the fields of the scopes it was logged in.</summary>
    private sealed class ScopeCapture : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<(string Message, Dictionary<string, object?> Fields)> _entries = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IEnumerable<Dictionary<string, object?>> ScopesOf(string message) =>
            _entries.Where(e => e.Message == message).Select(e => e.Fields);

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = new Dictionary<string, object?>();
                owner._scopes.ForEachScope((scope, f) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (KeyValuePair<string, object?> pair in pairs)
                        {
                            f[pair.Key] = pair.Value;
                        }
                    }
                }, fields);
                owner._entries.Enqueue((formatter(state, exception), fields));
            }
        }
    }
}
