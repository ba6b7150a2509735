using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session.Client;

// The application's side: requests (queued under SETTINGS_MAX_CONCURRENT_STREAMS), flow-controlled DATA, resets, credit.
internal sealed partial class Http2ClientSession
{
    private int MaxDataFrame => Math.Min(_peerSettings.MaxFrameSize, Http2Constants.DefaultMaxFrameSize);

    private int ConcurrencyLimit => _settingsReceived
        ? (int)Math.Min(_peerSettings.MaxConcurrentStreams, int.MaxValue)
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
        var stream = new Http2ClientStream(
            id,
            new InboundWindow(_limits.InitialStreamWindowSize, _limits.InitialStreamWindowSize / 2),
            new OutboundWindow(_peerSettings.InitialWindowSize, _connectionOutbound),
            request)
        {
            IsHead = request.Method == "HEAD",
            EndStreamWithHeaders = endStream,
        };
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

        int take = Math.Min(data.Length, Math.Max(0, _limits.StreamOutputBufferSize - stream.PendingLength));
        if (take > 0)
        {
            (stream.Pending ??= new PooledBuffer()).Write(data[..take]);
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
    public void ResetStream(int streamId, Http2ErrorCode errorCode)
    {
        AssertOwner();
        if (_closed)
        {
            return;
        }

        if (_streams.TryGetValue(streamId, out Http2ClientStream? stream))
        {
            FrameWriter.WriteRstStream(_output, streamId, errorCode);
            Apply(stream, StreamEvent.SendReset, errorCode, notify: false);
            return;
        }

        int index = _waiting.FindIndex(s => s.Id == streamId);
        if (index >= 0)
        {
            _waiting[index].Pending?.Dispose();
            _waiting.RemoveAt(index);
        }
    }

    /// <summary>The application consumed <paramref name="octets"/> of response body: their credit goes back, WINDOW_UPDATE batched (§6.9).</summary>
    public void AcknowledgeData(int streamId, int octets)
    {
        AssertOwner();
        if (_closed || octets <= 0)
        {
            return;
        }

        if (_streams.TryGetValue(streamId, out Http2ClientStream? stream))
        {
            ReleaseCredit(stream, octets);
        }
    }

    private bool TryGetWritableStream(int streamId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Http2ClientStream? stream)
    {
        if (_closed)
        {
            stream = null;
            return false;
        }

        if (_streams.TryGetValue(streamId, out stream))
        {
            return StreamStateMachine.CanSend(stream.State) && !stream.EndQueued;
        }

        stream = _waiting.Find(s => s.Id == streamId);
        return stream is { EndQueued: false, EndStreamWithHeaders: false };
    }

    /// <summary>Sends the HEADERS of waiting requests, oldest first, while the server's concurrency limit allows (§5.1.2).</summary>
    private void OpenWaitingStreams()
    {
        int opened = 0;
        while (opened < _waiting.Count && _streams.Count < ConcurrencyLimit && !_closed)
        {
            Http2ClientStream stream = _waiting[opened++];
            SendRequestHeaders(stream);
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
        _encodeScratch.Clear();
        _encoder.BeginHeaderBlock(_encodeScratch);
        _encoder.EncodeHeader(_encodeScratch, ":method", request.Method, HeaderIndexing.Incremental);
        _encoder.EncodeHeader(_encodeScratch, ":scheme", request.Scheme, HeaderIndexing.Incremental);
        _encoder.EncodeHeader(_encodeScratch, ":authority", request.Authority, HeaderIndexing.Incremental);
        _encoder.EncodeHeader(_encodeScratch, ":path", request.Path, HeaderIndexing.Incremental);
        foreach ((string name, string value) in request.Headers)
        {
            _encoder.EncodeHeader(_encodeScratch, name, value, IndexingFor(name));
        }

        _streams.Add(stream.Id, stream);
        _lastSentStreamId = stream.Id;
        bool endStream = stream.EndStreamWithHeaders;
        FrameWriter.WriteHeaders(_output, stream.Id, _encodeScratch.WrittenSpan, endStream, _peerSettings.MaxFrameSize);
        stream.HeadersSent = true;
        Apply(stream, StreamEvent.SendHeaders);
        if (endStream)
        {
            Apply(stream, StreamEvent.SendEndStream);
        }
        else if (stream.HasWorkToSend)
        {
            Enqueue(stream);
        }
    }

    // RFC 7541 §7.1.3: credentials never enter a compression table.
    private static HeaderIndexing IndexingFor(string name) => name switch
    {
        "authorization" or "cookie" or "proxy-authorization" => HeaderIndexing.NeverIndexed,
        "content-length" => HeaderIndexing.WithoutIndexing,
        _ => HeaderIndexing.Incremental,
    };

    private void Enqueue(Http2ClientStream stream)
    {
        if (!stream.InSendQueue)
        {
            stream.InSendQueue = true;
            _sendQueue.Add(stream);
        }
    }

    /// <summary>
    /// Moves queued request data into the output, one frame per stream per round so streams share the connection
    /// window fairly, until windows or the output's high-water mark stop it (the server session's policy).
    /// </summary>
    private void ProduceData()
    {
        if (_producing || _closed)
        {
            return;
        }

        _producing = true;
        try
        {
            bool progress = true;
            while (progress && _sendQueue.Count > 0 && _output.Length < _dataHighWater)
            {
                progress = false;
                for (int i = 0; i < _sendQueue.Count && _output.Length < _dataHighWater;)
                {
                    Http2ClientStream stream = _sendQueue[i];
                    if (stream.State != StreamState.Closed && SendNextFrame(stream))
                    {
                        progress = true;
                    }

                    if (stream.State == StreamState.Closed || !stream.HasWorkToSend)
                    {
                        stream.InSendQueue = false;
                        _sendQueue.RemoveAt(i);
                    }
                    else
                    {
                        i++;
                    }
                }
            }
        }
        finally
        {
            _producing = false;
        }
    }

    private bool SendNextFrame(Http2ClientStream stream)
    {
        if (!StreamStateMachine.CanSend(stream.State))
        {
            stream.Pending?.Clear();
            stream.EndQueued = false;
            return false;
        }

        int pending = stream.PendingLength;
        if (pending > 0)
        {
            int n = Math.Min(Math.Min(pending, MaxDataFrame), stream.Outbound.Available);
            if (n == 0)
            {
                return false;
            }

            bool last = n == pending && stream.EndQueued && stream.Trailers is null;
            FrameWriter.WriteData(_output, stream.Id, stream.Pending!.WrittenSpan[..n], last);
            stream.Outbound.Take(n);
            stream.Pending.Consume(n);
            if (last)
            {
                ApplyLocalEnd(stream);
            }
            else
            {
                _handler.OnStreamWritable(stream.Id);
            }

            return true;
        }

        if (!stream.EndQueued)
        {
            return false;
        }

        if (stream.Trailers is { } trailers)
        {
            _encodeScratch.Clear();
            _encoder.BeginHeaderBlock(_encodeScratch);
            foreach ((string name, string value) in trailers)
            {
                _encoder.EncodeHeader(_encodeScratch, name, value, IndexingFor(name));
            }

            FrameWriter.WriteHeaders(_output, stream.Id, _encodeScratch.WrittenSpan, endStream: true, _peerSettings.MaxFrameSize);
            stream.Trailers = null;
        }
        else
        {
            FrameWriter.WriteData(_output, stream.Id, default, endStream: true);
        }

        ApplyLocalEnd(stream);
        return true;
    }

    private void ApplyLocalEnd(Http2ClientStream stream)
    {
        stream.Pending?.Dispose();
        stream.Pending = null;
        stream.EndQueued = false;
        Apply(stream, StreamEvent.SendEndStream);
    }
}
