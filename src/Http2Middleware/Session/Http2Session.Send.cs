using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session;

// The application's side: responses, flow-controlled DATA, resets and window credit (§5.2, §6.9, §8.1).
internal sealed partial class Http2Session
{
    private int _bufferedResponse;

    // DATA frames stay at 16 KiB even when the client allows larger ones: a TLS record's size, fair turns between
    // streams, and no single frame pushing the output far past its high-water mark (0.05% more framing).
    private int MaxDataFrame => Math.Min(_peerSettings.MaxFrameSize, Http2Constants.DefaultMaxFrameSize);
    private bool _bufferWaiters;

    /// <summary>
    /// Sends the response header section. Returns false when the stream no longer exists (reset or
    /// connection closed), which is a normal race, not an error.
    /// </summary>
    /// <exception cref="InvalidOperationException">Headers were already sent on this stream.</exception>
    public bool SendHeaders(int streamId, int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        AssertOwner();
        if (!TryGetSendableStream(streamId, out Http2Stream? stream))
        {
            return false;
        }

        if (stream.HeadersSent)
        {
            throw new InvalidOperationException($"Response headers were already sent on stream {streamId}.");
        }

        SendResponseHeaders(stream, statusCode, headers, endStream);
        return true;
    }

    /// <summary>
    /// Sends a whole response encoded in advance. When nothing else waits to be sent and the windows take the body,
    /// its frames are copied into the output with the stream id written in (no HPACK work); otherwise the header block
    /// goes out after any pending table size update and the body through <see cref="TryWriteData"/>, and
    /// <paramref name="bodySent"/> tells how much of it was taken. Returns false when the stream no longer exists.
    /// </summary>
    /// <exception cref="InvalidOperationException">Headers were already sent on this stream.</exception>
    public bool SendPrebuilt(int streamId, PrebuiltResponse response, out int bodySent)
    {
        ArgumentNullException.ThrowIfNull(response);
        AssertOwner();
        bodySent = 0;
        if (!TryGetSendableStream(streamId, out Http2Stream? stream))
        {
            return false;
        }

        if (stream.HeadersSent)
        {
            throw new InvalidOperationException($"Response headers were already sent on stream {streamId}.");
        }

        ReadOnlySpan<byte> body = response.Body;
        if (!_encoder.HasPendingSizeUpdate && _sendQueue.Count == 0 && _output.Length < _dataHighWater
            && body.Length <= MaxDataFrame && body.Length <= stream.Outbound.Available)
        {
            int length = response.Frames.Length;
            response.CopyTo(_output.GetSpan(length), streamId);
            _output.Advance(length);
            stream.HeadersSent = true;
            if (body.Length > 0)
            {
                stream.Outbound.Take(body.Length);
                stream.ResponseClock.Add(body.Length);
                _responseClock.Add(body.Length);
            }

            bodySent = body.Length;
            ApplyLocalEnd(stream);
            return true;
        }

        _encodeScratch.Clear();
        _encoder.BeginHeaderBlock(_encodeScratch);
        _encodeScratch.Write(response.HeaderBlock);
        SendEncodedHeaders(stream, endStream: body.IsEmpty);
        return body.IsEmpty || TryWriteData(streamId, body, endStream: true, out bodySent);
    }

    /// <summary>
    /// Queues response body octets: sends what the windows allow and buffers the rest up to
    /// <see cref="Http2Limits.StreamOutputBufferSize"/> per stream and <see cref="Http2Limits.ConnectionResponseBufferSize"/>
    /// for all streams together. <paramref name="accepted"/> tells how much was taken; when less than offered, wait
    /// for <see cref="IHttp2SessionHandler.OnStreamWritable"/> and offer the rest: one comes after this call has returned
    /// (or the stream ends). <paramref name="endStream"/> takes effect only when everything was accepted. Returns false
    /// when the stream no longer exists.
    /// </summary>
    public bool TryWriteData(int streamId, ReadOnlySpan<byte> data, bool endStream, out int accepted)
    {
        AssertOwner();
        accepted = 0;
        if (!TryGetSendableStream(streamId, out Http2Stream? stream))
        {
            return false;
        }

        if (!stream.HeadersSent)
        {
            throw new InvalidOperationException($"Response headers must be sent before data on stream {streamId}.");
        }

        // Fast path: nothing queued anywhere, so send straight into the output within the windows.
        if (stream.PendingLength == 0 && _sendQueue.Count == 0)
        {
            while (!data.IsEmpty && _output.Length < _dataHighWater)
            {
                int n = Math.Min(Math.Min(data.Length, MaxDataFrame), stream.Outbound.Available);
                if (n == 0)
                {
                    break;
                }

                bool last = endStream && n == data.Length;
                SendData(stream, data[..n], last);
                data = data[n..];
                accepted += n;
                if (last)
                {
                    ApplyLocalEnd(stream);
                    return true;
                }
            }
        }

        // Buffer what the stream and the connection allow. When that all goes out at once (its windows are open but
        // other streams wait in the queue), take more: a short return with nothing buffered would leave nothing to
        // raise OnStreamWritable afterwards, and the writer would wait forever.
        while (true)
        {
            int ownRoom = _limits.StreamOutputBufferSize - stream.PendingLength;
            int take = Math.Min(data.Length, WriteCapacity(stream));
            if (take > 0)
            {
                (stream.Pending ??= new PooledBuffer()).Write(data[..take]);
                _bufferedResponse += take;
                accepted += take;
            }

            if (take == data.Length)
            {
                stream.EndQueued = endStream;
            }
            else if (take < Math.Min(data.Length, ownRoom))
            {
                // Cut short by the connection's budget, not the stream's own buffer: wake it when that frees.
                stream.WaitingForBuffer = true;
                _bufferWaiters = true;
            }

            data = data[take..];
            if (stream.HasWorkToSend)
            {
                Enqueue(stream);
                ProduceData();
            }

            if (data.IsEmpty || stream.PendingLength > 0 || _closed || !StreamStateMachine.CanSend(stream.State))
            {
                return true;
            }

            // Nothing of this stream is left buffered (even when this round took nothing: its full buffer went out and
            // raised OnStreamWritable before the caller could wait). Take more if there is room; if the connection's
            // budget is spent, wake the stream when it frees.
            if (WriteCapacity(stream) == 0)
            {
                stream.WaitingForBuffer = true;
                _bufferWaiters = true;
                return true;
            }
        }
    }

    /// <summary>Free room for response data on the stream, 0 if it cannot be written.</summary>
    public int GetWriteCapacity(int streamId)
    {
        AssertOwner();
        return _streams.TryGetValue(streamId, out Http2Stream? stream) && StreamStateMachine.CanSend(stream.State) && !stream.EndQueued
            ? WriteCapacity(stream)
            : 0;
    }

    private int WriteCapacity(Http2Stream stream) =>
        Math.Max(0, Math.Min(_limits.StreamOutputBufferSize - stream.PendingLength, _limits.ConnectionResponseBufferSize - _bufferedResponse));

    /// <summary>Ends the response with trailers, after any data still waiting for window. False when the stream is gone.</summary>
    public bool SendTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        AssertOwner();
        if (!TryGetSendableStream(streamId, out Http2Stream? stream))
        {
            return false;
        }

        if (!stream.HeadersSent)
        {
            throw new InvalidOperationException($"Response headers must be sent before trailers on stream {streamId}.");
        }

        stream.Trailers = trailers;
        stream.EndQueued = true;
        Enqueue(stream);
        ProduceData();
        return true;
    }

    /// <summary>
    /// Resets a stream with RST_STREAM (§6.4) on the application's behalf; unknown or closed streams are
    /// ignored. The application is not called back for a reset it asked for.
    /// </summary>
    public void ResetStream(int streamId, Http2ErrorCode errorCode)
    {
        AssertOwner();
        if (_closed || !_streams.TryGetValue(streamId, out Http2Stream? stream))
        {
            return;
        }

        FrameWriter.WriteRstStream(_output, streamId, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode, notifyApplication: false);
    }

    /// <summary>
    /// The application consumed <paramref name="octets"/> of request body: their window credit goes back
    /// to the peer, batched so that WINDOW_UPDATE is not sent for every small DATA frame (§6.9).
    /// </summary>
    public void AcknowledgeData(int streamId, int octets)
    {
        AssertOwner();
        if (_closed || octets <= 0 || !_streams.TryGetValue(streamId, out Http2Stream? stream))
        {
            return; // a closed stream's credit was returned when it closed.
        }

        ReleaseCredit(stream, octets);
    }

    /// <summary>
    /// The application will not read the rest of the request body (its handler finished): what it has not
    /// consumed, and what still arrives, is discarded with the connection's credit returned. Once the response is
    /// complete the stream stays half-closed (local) until the client's END_STREAM (§8.1).
    /// </summary>
    public void AbandonRequestBody(int streamId)
    {
        AssertOwner();
        if (_closed || !_streams.TryGetValue(streamId, out Http2Stream? stream) || stream.BodyAbandoned)
        {
            return;
        }

        stream.BodyAbandoned = true;
        ReturnConnectionCredit(stream.Inbound.Discard());
        ResetIfBodyUnwanted(stream);
    }

    private bool TryGetSendableStream(int streamId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Http2Stream? stream)
    {
        if (!_closed && _streams.TryGetValue(streamId, out stream) && StreamStateMachine.CanSend(stream.State) && !stream.EndQueued)
        {
            return true;
        }

        stream = null;
        return false;
    }

    private void SendResponseHeaders(Http2Stream stream, int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        _encodeScratch.Clear();
        _encoder.BeginHeaderBlock(_encodeScratch);
        _encoder.EncodeStatus(_encodeScratch, statusCode);
        EncodeFields(headers);
        SendEncodedHeaders(stream, endStream);
    }

    /// <summary>Sends the header block in <c>_encodeScratch</c> as HEADERS (+ CONTINUATION) on <paramref name="stream"/>.</summary>
    private void SendEncodedHeaders(Http2Stream stream, bool endStream)
    {
        FrameWriter.WriteHeaders(_output, stream.Id, _encodeScratch.WrittenSpan, endStream, _peerSettings.MaxFrameSize);
        stream.HeadersSent = true;
        if (endStream)
        {
            ApplyLocalEnd(stream);
        }
    }

    private void EncodeFields(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            (string name, string value) = (fields[i].Key, fields[i].Value);
            _encoder.EncodeHeader(_encodeScratch, name, value, IndexingFor(name));
        }
    }

    // Credentials never enter a compression table (RFC 7541 §7.1.3); values that change with every
    // response would only churn the dynamic table.
    private static HeaderIndexing IndexingFor(string name) => name switch
    {
        "authorization" or "cookie" or "set-cookie" or "proxy-authorization" => HeaderIndexing.NeverIndexed,
        "content-length" or "date" or "etag" or "last-modified" or "age" or "expires" => HeaderIndexing.WithoutIndexing,
        _ => HeaderIndexing.Incremental,
    };

    private void Enqueue(Http2Stream stream)
    {
        if (!stream.InSendQueue)
        {
            stream.InSendQueue = true;
            _sendQueue.Add(stream);
        }
    }

    /// <summary>
    /// Moves queued response data into the output, one frame per stream per round so that streams
    /// share the connection window fairly, until windows or the output's high-water mark stop it.
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
                    Http2Stream stream = _sendQueue[i];
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

        WakeBufferWaiters();
    }

    private bool SendNextFrame(Http2Stream stream)
    {
        int pending = stream.PendingLength;
        if (pending > 0)
        {
            int n = Math.Min(Math.Min(pending, MaxDataFrame), stream.Outbound.Available);
            if (n == 0)
            {
                return false;
            }

            bool last = n == pending && stream.EndQueued && stream.Trailers is null;
            SendData(stream, stream.Pending!.WrittenSpan[..n], last);
            stream.Pending.Consume(n);
            _bufferedResponse -= n;
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
            EncodeFields(trailers);
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

    /// <summary>One DATA frame within the windows (taken from the stream's and the connection's at once); the caller applies END_STREAM.</summary>
    private void SendData(Http2Stream stream, ReadOnlySpan<byte> data, bool endStream)
    {
        FrameWriter.WriteData(_output, stream.Id, data, endStream);
        stream.Outbound.Take(data.Length);
        stream.ResponseClock.Add(data.Length);
        _responseClock.Add(data.Length);
    }

    private void ApplyLocalEnd(Http2Stream stream)
    {
        if (stream.Pending is { Length: 0 })
        {
            stream.Pending.Dispose();
            stream.Pending = null;
        }

        stream.EndQueued = false;
        Apply(stream, StreamEvent.SendEndStream);
        ResetIfBodyUnwanted(stream);
    }

    /// <summary>Streams whose writes were cut short by the connection's response buffer may write again.</summary>
    private void WakeBufferWaiters()
    {
        if (!_bufferWaiters || _bufferedResponse > _limits.ConnectionResponseBufferSize / 2 || _producing)
        {
            return;
        }

        _bufferWaiters = false;
        foreach (Http2Stream stream in SnapshotStreams())
        {
            if (stream.WaitingForBuffer)
            {
                stream.WaitingForBuffer = false;
                _handler.OnStreamWritable(stream.Id);
            }
        }
    }
}
