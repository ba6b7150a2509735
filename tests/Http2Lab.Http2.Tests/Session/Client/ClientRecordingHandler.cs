using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session.Client;

namespace Http2Lab.Http2.Tests.Session.Client;

/// <summary>Records every event an <see cref="Http2ClientSession"/> raises.</summary>
internal sealed class ClientRecordingHandler : IHttp2ClientSessionHandler
{
    public List<(int StreamId, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, bool EndStream)> Responses { get; } = [];
    public List<(int StreamId, byte[] Data, bool EndStream)> Data { get; } = [];
    public List<(int StreamId, IReadOnlyList<KeyValuePair<string, string>> Trailers)> Trailers { get; } = [];
    public List<(int StreamId, Http2ErrorCode Code, bool Refused)> Resets { get; } = [];
    public List<int> Writable { get; } = [];
    public List<(int LastStreamId, Http2ErrorCode Code, string Debug)> GoAways { get; } = [];
    public List<ulong> PingAcks { get; } = [];

    public void OnResponse(int streamId, int status, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream) =>
        Responses.Add((streamId, status, headers, endStream));

    public void OnResponseData(int streamId, ReadOnlySpan<byte> data, bool endStream) => Data.Add((streamId, data.ToArray(), endStream));

    public void OnResponseTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers) => Trailers.Add((streamId, trailers));

    public void OnStreamReset(int streamId, Http2ErrorCode errorCode, bool refused) => Resets.Add((streamId, errorCode, refused));

    public void OnStreamWritable(int streamId) => Writable.Add(streamId);

    public void OnPingAck(ulong opaqueData) => PingAcks.Add(opaqueData);

    public void OnGoAway(int lastStreamId, Http2ErrorCode errorCode, string debugData) => GoAways.Add((lastStreamId, errorCode, debugData));
}
