using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Session;

internal abstract record HandlerEvent(int StreamId);

internal sealed record RequestEvent(int StreamId, Http2RequestHead Request, bool EndStream) : HandlerEvent(StreamId);

internal sealed record DataEvent(int StreamId, byte[] Data, bool EndStream) : HandlerEvent(StreamId);

internal sealed record TrailersEvent(int StreamId, IReadOnlyList<KeyValuePair<string, string>> Trailers) : HandlerEvent(StreamId);

internal sealed record ResetEvent(int StreamId, Http2ErrorCode ErrorCode) : HandlerEvent(StreamId);

internal sealed record WritableEvent(int StreamId) : HandlerEvent(StreamId);

internal sealed record GoAwayEvent(int LastStreamId, Http2ErrorCode ErrorCode) : HandlerEvent(0);

/// <summary>Records every event the session raises, in order; optional hooks let a test react inside a call.</summary>
internal sealed class RecordingHandler : IHttp2SessionHandler
{
    public List<HandlerEvent> Events { get; } = [];

    public Action<RequestEvent>? OnRequestHook { get; set; }

    public Action<int>? OnWritableHook { get; set; }

    public Action<int, bool>? OnDataHook { get; set; }

    public Action<int>? OnTrailersHook { get; set; }

    public IEnumerable<RequestEvent> Requests => Events.OfType<RequestEvent>();

    public IEnumerable<DataEvent> Data => Events.OfType<DataEvent>();

    public IEnumerable<TrailersEvent> Trailers => Events.OfType<TrailersEvent>();

    public IEnumerable<ResetEvent> Resets => Events.OfType<ResetEvent>();

    public IEnumerable<WritableEvent> Writables => Events.OfType<WritableEvent>();

    public IEnumerable<GoAwayEvent> GoAways => Events.OfType<GoAwayEvent>();

    /// <summary>All request body octets delivered for <paramref name="streamId"/>, concatenated.</summary>
    public byte[] BodyOf(int streamId) => [.. Data.Where(d => d.StreamId == streamId).SelectMany(d => d.Data)];

    public void OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        var e = new RequestEvent(streamId, request.Detached(), endStream); // the fields are lent for the call
        Events.Add(e);
        OnRequestHook?.Invoke(e);
    }

    public void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        Events.Add(new DataEvent(streamId, data.ToArray(), endStream));
        OnDataHook?.Invoke(streamId, endStream);
    }

    public void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        Events.Add(new TrailersEvent(streamId, [.. trailers]));
        OnTrailersHook?.Invoke(streamId);
    }

    public void OnStreamReset(int streamId, Http2ErrorCode errorCode) => Events.Add(new ResetEvent(streamId, errorCode));

    public void OnStreamWritable(int streamId)
    {
        Events.Add(new WritableEvent(streamId));
        OnWritableHook?.Invoke(streamId);
    }

    public void OnGoAway(int lastStreamId, Http2ErrorCode errorCode) => Events.Add(new GoAwayEvent(lastStreamId, errorCode));
}
