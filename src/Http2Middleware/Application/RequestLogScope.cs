using System.Collections;
using System.Net;

namespace Http2Lab.Http2.Application;

/// <summary>
/// The log scope of a request the router serves: whatever a handler logs carries the connection id, the stream id
/// and the client's address. Fields are read when a provider formats them, not when the scope starts.
/// </summary>
internal sealed class RequestLogScope(Http2Request request) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", request.Stream.Connection.Context.ConnectionId),
        1 => new("StreamId", request.StreamId),
        2 => new("RemoteAddress", Remote(request.Stream.Connection.Context.RemoteEndPoint)),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        $"ConnectionId:{request.Stream.Connection.Context.ConnectionId} StreamId:{request.StreamId} RemoteAddress:{Remote(request.Stream.Connection.Context.RemoteEndPoint)}";

    private static string? Remote(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => ip.ToString(),
        null => null,
        _ => endPoint.ToString(),
    };
}
