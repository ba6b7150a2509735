using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// The server's limits for one fuzz iteration: the defaults, or small values (within the ranges
/// <see cref="Http2Limits"/> allows) so that refusals, 431s, rate limits, backpressure and timeouts are reached.
/// </summary>
internal static class FuzzLimits
{
    public static Http2Limits Pick(Random random)
    {
        if (random.Next(4) == 0)
        {
            return new Http2Limits();
        }

        return new Http2Limits
        {
            MaxConcurrentStreams = random.Next(1, 9),
            HeaderTableSize = OneOf(random, 0, 64, Http2Constants.DefaultHeaderTableSize, 16384),
            MaxFrameSize = OneOf(random, Http2Constants.DefaultMaxFrameSize, Http2Constants.DefaultMaxFrameSize, 20_000, 65_536),
            MaxHeaderListSize = OneOf(random, 64, 512, 4096, 32 * 1024),
            InitialStreamWindowSize = OneOf(random, Http2Constants.DefaultInitialWindowSize, 100_000, 768 * 1024),
            InitialConnectionWindowSize = OneOf(random, Http2Constants.DefaultInitialWindowSize, 131_072, 1024 * 1024),
            StreamOutputBufferSize = OneOf(random, 1024, 4096, 64 * 1024),
            MaxOutputBufferSize = OneOf(random, 16 * 1024, 32 * 1024, 256 * 1024),
            ConnectionResponseBufferSize = OneOf(random, 16 * 1024, 64 * 1024, 256 * 1024),
            MaxContinuationFrames = OneOf(random, 1, 3, 256),
            MaxResetStreamsPerSecond = OneOf(random, 3, 20, 200),
            MaxPingsPerSecond = OneOf(random, 2, 100),
            MaxSettingsPerSecond = OneOf(random, 2, 100),
            ClientPrefaceTimeout = TimeSpan.FromSeconds(OneOf(random, 1, 10)),
            SettingsAckTimeout = TimeSpan.FromSeconds(OneOf(random, 1, 10)),
            RequestHeadersTimeout = TimeSpan.FromSeconds(OneOf(random, 1, 30)),
            KeepAliveTimeout = TimeSpan.FromSeconds(OneOf(random, 2, 130)),
            DataRateGracePeriod = TimeSpan.FromSeconds(OneOf(random, 0, 1, 5)),
            MinRequestBodyDataRate = OneOf(random, 0, 240, 100_000),
            MinResponseDataRate = OneOf(random, 0, 240, 100_000),
            MaxRequestBodySize = random.Next(4) switch { 0 => null, 1 => 0, 2 => 100, _ => 30_000_000 },
        };
    }

    /// <summary>
    /// The shortest time after which a timeout may legitimately end the connection with an error code (keep-alive
    /// ends it gracefully; data rates reset streams with CANCEL or abort a connection whose output is not read).
    /// </summary>
    public static TimeSpan ShortestConnectionTimeout(Http2Limits limits) =>
        new[] { limits.ClientPrefaceTimeout, limits.SettingsAckTimeout, limits.RequestHeadersTimeout }.Min();

    public static string Describe(Http2Limits l) =>
        $"streams={l.MaxConcurrentStreams} table={l.HeaderTableSize} frame={l.MaxFrameSize} list={l.MaxHeaderListSize} " +
        $"streamWindow={l.InitialStreamWindowSize} connWindow={l.InitialConnectionWindowSize} streamBuf={l.StreamOutputBufferSize} " +
        $"outBuf={l.MaxOutputBufferSize} respBuf={l.ConnectionResponseBufferSize} cont={l.MaxContinuationFrames} resets={l.MaxResetStreamsPerSecond} " +
        $"pings={l.MaxPingsPerSecond} settings={l.MaxSettingsPerSecond} preface={l.ClientPrefaceTimeout.TotalSeconds}s ack={l.SettingsAckTimeout.TotalSeconds}s " +
        $"headers={l.RequestHeadersTimeout.TotalSeconds}s keepAlive={l.KeepAliveTimeout.TotalSeconds}s grace={l.DataRateGracePeriod.TotalSeconds}s " +
        $"minBody={l.MinRequestBodyDataRate} minResponse={l.MinResponseDataRate} maxBody={l.MaxRequestBodySize?.ToString() ?? "none"}";

    private static T OneOf<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}
