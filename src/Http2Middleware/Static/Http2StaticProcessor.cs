using Http2Lab.Http2.Application;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Static;

/// <summary>
/// Answers every request at once with a <see cref="PrebuiltResponse"/> (HEAD without its body): the whole HTTP/2
/// session, none of the application layer. A request body the response did not wait for is the session's to
/// discard (§8.1). Connection errors and resets are counted in the metrics; requests are not (no per-request work).
/// </summary>
internal sealed class Http2StaticProcessor : Http2SessionProcessor
{
    private readonly StaticResponses _responses;
    private readonly List<(int StreamId, PrebuiltResponse Response)> _answering = [];
    private Dictionary<int, (PrebuiltResponse Response, int Sent)>? _unfinished;
    private long _requests;

    public Http2StaticProcessor(ProcessorContext context, Http2Limits limits, StaticResponses responses, Http2Metrics metrics, ILogger logger)
        : base(context, limits, metrics, logger)
    {
        _responses = responses;
    }

    protected override int RequestsInFlight => _unfinished?.Count ?? 0;

    public override bool IsIdle => _requests > 0 && Session.ActiveStreamCount == 0;

    public override void OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        _requests++;
        // Answered once the session call returns: sending from inside its callback would re-enter it.
        _answering.Add((streamId, request.Method == "HEAD" ? _responses.Head : _responses.Full));
    }

    protected override void OnReceived()
    {
        for (int i = 0; i < _answering.Count; i++)
        {
            (int streamId, PrebuiltResponse response) = _answering[i];
            if (!Session.SendPrebuilt(streamId, response, out int sent))
            {
                continue; // reset meanwhile
            }

            if (sent < response.Body.Length)
            {
                (_unfinished ??= [])[streamId] = (response, sent); // the rest when the windows open
            }
        }

        _answering.Clear();
    }

    public override void OnStreamWritable(int streamId)
    {
        if (_unfinished is null || !_unfinished.TryGetValue(streamId, out var entry))
        {
            return;
        }

        if (!Session.TryWriteData(streamId, entry.Response.Body[entry.Sent..], endStream: true, out int accepted))
        {
            _unfinished.Remove(streamId);
        }
        else if (entry.Sent + accepted == entry.Response.Body.Length)
        {
            _unfinished.Remove(streamId);
        }
        else
        {
            _unfinished[streamId] = (entry.Response, entry.Sent + accepted);
        }
    }

    public override void OnStreamReset(int streamId, Http2ErrorCode errorCode)
    {
        Metrics.StreamReset(errorCode);
        _unfinished?.Remove(streamId); // one still in _answering is found gone when its turn comes
    }

    public override void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
    }

    public override void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
    }
}
