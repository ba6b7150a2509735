using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session.Client;

// The application's side: requests, queued under the server's SETTINGS_MAX_CONCURRENT_STREAMS (§5.1.2), and their bodies.
internal sealed partial class Http2ClientSession
{
    /// <summary>Streams opened before the server's SETTINGS arrive: the RFC's recommended minimum (§6.5.2).</summary>
    private const int StreamsBeforeSettings = 100;

    private readonly List<Http2ClientStream> _waiting = [];
    private long _nextStreamId = 1; // a long: past 2^31-1 the connection is used up (§5.1.1), not wrapped round
    private int _lastSentStreamId;

    private int ConcurrencyLimit => SettingsReceived
        ? (int)Math.Min(PeerSettings.MaxConcurrentStreams, int.MaxValue)
        : StreamsBeforeSettings;

    /// <summary>
    /// Starts a request and returns its stream id (odd, increasing, §5.1.1), or 0 when this connection takes no new
    /// streams (<see cref="IsDraining"/>): the caller opens another. When the server's SETTINGS_MAX_CONCURRENT_STREAMS
    /// is reached the request waits, in order, and its HEADERS go out when a stream closes (§5.1.2); the id is
    /// already its own, and ids still reach the wire in increasing order. With <paramref name="endStream"/> false
    /// the body follows through <see cref="TryWriteData"/> and ends with it or with <see cref="EndRequest"/>.
    /// </summary>
    public int SubmitRequest(Http2ClientRequestHead request, bool endStream)
    {
        AssertOwner();
        if (IsDraining)
        {
            return 0;
        }

        Start();
        int id = (int)_nextStreamId;
        _nextStreamId += 2;
        Http2ClientStream stream = RentStream(id);
        stream.Request = request;
        stream.IsHead = request.Method == "HEAD";
        stream.EndStreamWithHeaders = endStream;
        _waiting.Add(stream);
        OpenWaitingStreams();
        return id;
    }

    /// <summary>
    /// Queues request body octets: sends what the windows allow and buffers the rest up to
    /// <see cref="Http2Limits.StreamOutputBufferSize"/>. <paramref name="accepted"/> tells how much was taken; when
    /// less than offered, wait for <see cref="IHttp2ClientSessionHandler.OnStreamWritable"/>. Returns false when the
    /// stream no longer exists or its request has ended.
    /// </summary>
    public bool TryWriteData(int streamId, ReadOnlySpan<byte> data, bool endStream, out int accepted)
    {
        AssertOwner();
        accepted = 0;
        if (!TryGetWritableStream(streamId, out Http2ClientStream? stream))
        {
            return false;
        }

        int take = Math.Min(data.Length, Math.Max(0, Limits.StreamOutputBufferSize - stream.PendingLength));
        if (take > 0)
        {
            BufferData(stream, data[..take]);
            accepted = take;
        }

        if (take == data.Length && endStream)
        {
            stream.EndQueued = true;
        }

        if (stream.State != StreamState.Idle && stream.HasWorkToSend)
        {
            Enqueue(stream);
            ProduceData();
        }

        return true;
    }

    /// <summary>Ends the request, with <paramref name="trailers"/> if any (§8.1), after the data still waiting for window.</summary>
    public bool EndRequest(int streamId, IReadOnlyList<KeyValuePair<string, string>>? trailers)
    {
        AssertOwner();
        if (!TryGetWritableStream(streamId, out Http2ClientStream? stream))
        {
            return false;
        }

        stream.Trailers = trailers is { Count: > 0 } ? trailers : null;
        stream.EndQueued = true;
        if (stream.State != StreamState.Idle)
        {
            Enqueue(stream);
            ProduceData();
        }

        return true;
    }

    /// <summary>
    /// Abandons a request (§8.7, cancellation): RST_STREAM with <paramref name="errorCode"/> if it is on the wire,
    /// silently dropped if it still waits. The handler is not called back for a reset it asked for.
    /// </summary>
    public override void ResetStream(int streamId, Http2ErrorCode errorCode)
    {
        base.ResetStream(streamId, errorCode);
        int index = IndexOfWaiting(streamId);
        if (index >= 0)
        {
            Http2ClientStream dropped = _waiting[index];
            _waiting.RemoveAt(index);
            DropPending(dropped);
            Recycle(dropped);
        }
    }

    private bool TryGetWritableStream(int streamId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Http2ClientStream? stream)
    {
        if (IsClosed)
        {
            stream = null;
            return false;
        }

        if (Streams.TryGetValue(streamId, out stream))
        {
            return StreamStateMachine.CanSend(stream.State) && !stream.EndQueued;
        }

        int index = IndexOfWaiting(streamId);
        stream = index >= 0 ? _waiting[index] : null;
        return stream is { EndQueued: false, EndStreamWithHeaders: false };
    }

    // A loop, not List.FindIndex with a lambda: the closure would be allocated on every call.
    private int IndexOfWaiting(int streamId)
    {
        for (int i = 0; i < _waiting.Count; i++)
        {
            if (_waiting[i].Id == streamId)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Sends the HEADERS of waiting requests, oldest first, while the server's concurrency limit allows (§5.1.2).</summary>
    private void OpenWaitingStreams()
    {
        int opened = 0;
        while (opened < _waiting.Count && Streams.Count < ConcurrencyLimit && !IsClosed)
        {
            SendRequestHeaders(_waiting[opened++]);
        }

        if (opened > 0)
        {
            _waiting.RemoveRange(0, opened);
            ProduceData();
        }
    }

    private void SendRequestHeaders(Http2ClientStream stream)
    {
        Http2ClientRequestHead request = stream.Request!;
        stream.Request = null;
        BeginFieldBlock();
        Encoder.EncodeHeader(EncodeScratch, ":method", request.Method, HeaderIndexing.Incremental);
        Encoder.EncodeHeader(EncodeScratch, ":scheme", request.Scheme, HeaderIndexing.Incremental);
        Encoder.EncodeHeader(EncodeScratch, ":authority", request.Authority, HeaderIndexing.Incremental);
        Encoder.EncodeHeader(EncodeScratch, ":path", request.Path, HeaderIndexing.Incremental);
        EncodeFields(request.Headers);

        Streams.Add(stream.Id, stream);
        _lastSentStreamId = stream.Id;

        // Its window starts at the server's SETTINGS_INITIAL_WINDOW_SIZE in force now, which may have changed while
        // the request waited (§6.9.2).
        stream.Outbound.Reset(PeerSettings.InitialWindowSize);
        Apply(stream, StreamEvent.SendHeaders);
        SendHeaderBlock(stream, stream.EndStreamWithHeaders);
        if (!stream.EndStreamWithHeaders && stream.HasWorkToSend)
        {
            Enqueue(stream);
        }
    }

    protected override void OnStreamWritable(Http2ClientStream stream) => _handler.OnStreamWritable(stream.Id);
}
