using System.Text;

namespace Http2Lab.Http2.Application.Handlers;

/// <summary>
/// A server-sent event stream (<c>text/event-stream</c>, HTML Living Standard §9.2) on a response: each event is
/// written and flushed at once, so the client sees it when it is sent, not with the next one. <see cref="ScheduleAsync"/>
/// runs work on a timer; <see cref="Handler"/> makes a whole handler that sends an event per period.
/// </summary>
public sealed class EventStream
{
    private readonly Http2Response _response;
    private readonly CancellationToken _aborted;
    private readonly SemaphoreSlim _writing = new(1, 1);

    private EventStream(Http2Request request, Http2Response response)
    {
        _response = response;
        _aborted = request.Aborted;
    }

    /// <summary>Cancelled when the client goes away (the stream is reset or the connection closes).</summary>
    public CancellationToken Aborted => _aborted;

    /// <summary>Starts the stream: sends the header section (<c>text/event-stream</c>, not cached) at once.</summary>
    /// <exception cref="InvalidOperationException">The response has started already.</exception>
    public static async Task<EventStream> StartAsync(Http2Request request, Http2Response response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        response.SetHeader("content-type", "text/event-stream; charset=utf-8");
        response.SetHeader("cache-control", "no-cache");
        var stream = new EventStream(request, response);
        await response.FlushAsync(request.Aborted);
        return stream;
    }

    /// <summary>Sends one event and flushes it.</summary>
    /// <param name="data">The data; each line becomes a <c>data:</c> line.</param>
    /// <param name="eventName">The event type (<c>event:</c>), or null for the default <c>message</c>.</param>
    /// <param name="id">The event id (<c>id:</c>), or null.</param>
    public async ValueTask SendAsync(string data, string? eventName = null, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var text = new StringBuilder();
        AppendField(text, "event", eventName);
        AppendField(text, "id", id);
        foreach (string line in data.ReplaceLineEndings("\n").Split('\n'))
        {
            text.Append("data: ").Append(line).Append('\n');
        }

        text.Append('\n'); // the blank line dispatches the event
        await WriteAsync(text.ToString());
    }

    /// <summary>Sends a comment line (ignored by clients; keeps idle connections and proxies from timing out).</summary>
    public ValueTask SendCommentAsync(string comment) => WriteAsync($": {comment.ReplaceLineEndings(" ")}\n\n");

    /// <summary>
    /// Runs <paramref name="action"/> every <paramref name="period"/>, the first time after <paramref name="delay"/>,
    /// until it returns false or the client goes away. The returned task ends then (it does not fail when the client
    /// left).
    /// </summary>
    public async Task ScheduleAsync(TimeSpan delay, TimeSpan period, Func<EventStream, long, ValueTask<bool>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _aborted);
            }

            using var timer = new PeriodicTimer(period);
            for (long tick = 0; ; tick++)
            {
                if (!await action(this, tick) || !await timer.WaitForNextTickAsync(_aborted))
                {
                    return;
                }
            }
        }
        catch (Exception) when (_aborted.IsCancellationRequested)
        {
            // The client left: nothing more to send.
        }
    }

    /// <summary>
    /// A handler that starts an event stream and sends <paramref name="next"/>'s event at once and then every
    /// <paramref name="period"/>, until it returns null or the client goes away.
    /// </summary>
    /// <param name="period">Time between events.</param>
    /// <param name="next">Makes event number n (0, 1, …) of a request, or null to end the stream.</param>
    public static Http2RequestHandler Handler(TimeSpan period, Func<Http2Request, long, string?> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        return async (request, response) =>
        {
            EventStream events = await StartAsync(request, response);
            await events.ScheduleAsync(TimeSpan.Zero, period, async (stream, tick) =>
            {
                string? data = next(request, tick);
                if (data is null)
                {
                    return false;
                }

                await stream.SendAsync(data);
                return true;
            });
        };
    }

    private async ValueTask WriteAsync(string text)
    {
        // Scheduled work and the handler may both send: one event at a time, never interleaved.
        await _writing.WaitAsync(_aborted);
        try
        {
            await _response.WriteAsync(text, _aborted);
            await _response.FlushAsync(_aborted);
        }
        finally
        {
            _writing.Release();
        }
    }

    private static void AppendField(StringBuilder text, string name, string? value)
    {
        if (value is not null)
        {
            if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"An event's {name} is one line.", name == "event" ? "eventName" : name);
            }

            text.Append(name).Append(": ").Append(value).Append('\n');
        }
    }
}
