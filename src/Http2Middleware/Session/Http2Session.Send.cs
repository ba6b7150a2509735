using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session;

// The application's side: responses, flow-controlled DATA, resets and window credit (§5.2, §6.9, §8.1).
public sealed partial class Http2Session
{
    /// <summary>
    /// Sends the response header section. Returns false when the stream no longer exists (reset or
    /// connection closed), which is a normal race, not an error.
    /// </summary>
    /// <exception cref="InvalidOperationException">Headers were already sent on this stream.</exception>
    public bool SendHeaders(int streamId, int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
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
    /// Queues response body octets: sends what the windows allow and buffers the rest up to
    /// <see cref="Http2Limits.StreamOutputBufferSize"/>. <paramref name="accepted"/> tells how much was taken;
    /// when less than offered, wait for <see cref="IHttp2SessionHandler.OnStreamWritable"/> and offer the rest.
    /// <paramref name="endStream"/> takes effect only when everything was accepted.
    /// Returns false when the stream no longer exists.
    /// </summary>
    public bool TryWriteData(int streamId, ReadOnlySpan<byte> data, bool endStream, out int accepted)
    {
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
                int n = Math.Min(Math.Min(data.Length, _peerMaxFrameSize), Math.Min(stream.SendWindow.Available, _connectionSendWindow.Available));
                if (n == 0)
                {
                    break;
                }

                bool last = endStream && n == data.Length;
                FrameWriter.WriteData(_output, streamId, data[..n], last);
                stream.SendWindow.TryConsume(n);
                _connectionSendWindow.TryConsume(n);
                data = data[n..];
                accepted += n;
                if (last)
                {
                    ApplyLocalEnd(stream);
                    return true;
                }
            }
        }

        int take = Math.Min(data.Length, _limits.StreamOutputBufferSize - stream.PendingLength);
        if (take > 0)
        {
            (stream.Pending ??= new PooledBuffer()).Write(data[..take]);
            accepted += take;
        }

        if (take == data.Length && endStream)
        {
            stream.EndQueued = true;
        }

        if (stream.HasWorkToSend)
        {
            Enqueue(stream);
            ProduceData();
        }

        return true;
    }

    /// <summary>Free room in the stream's output buffer, 0 if the stream cannot be written.</summary>
    public int GetWriteCapacity(int streamId) =>
        _streams.TryGetValue(streamId, out Http2Stream? stream) && StreamStateMachine.CanSend(stream.State) && !stream.EndQueued
            ? _limits.StreamOutputBufferSize - stream.PendingLength
            : 0;

    /// <summary>Ends the response with trailers, after any data still waiting for window. False when the stream is gone.</summary>
    public bool SendTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
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

    /// <summary>Resets a stream with RST_STREAM (§6.4); unknown or closed streams are ignored.</summary>
    public void ResetStream(int streamId, Http2ErrorCode errorCode)
    {
        if (_closed || !_streams.TryGetValue(streamId, out Http2Stream? stream))
        {
            return;
        }

        FrameWriter.WriteRstStream(_output, streamId, errorCode);
        RecordReset(streamId);
        CloseStream(stream);
        stream.State = StreamState.Closed;
    }

    /// <summary>
    /// The application consumed <paramref name="octets"/> of request body: their window credit goes back
    /// to the peer, batched so that WINDOW_UPDATE is not sent for every small DATA frame (§6.9).
    /// </summary>
    public void AcknowledgeData(int streamId, int octets)
    {
        if (_closed || octets <= 0 || !_streams.TryGetValue(streamId, out Http2Stream? stream))
        {
            return; // a closed stream's credit was returned when it closed.
        }

        octets = Math.Min(octets, stream.Unacknowledged);
        stream.Unacknowledged -= octets;
        ReturnConnectionCredit(octets);
        ReturnStreamCredit(stream, octets);
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
        FrameWriter.WriteHeaders(_output, stream.Id, _encodeScratch.WrittenSpan, endStream, _peerMaxFrameSize);
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
    }

    private bool SendNextFrame(Http2Stream stream)
    {
        int pending = stream.PendingLength;
        if (pending > 0)
        {
            int n = Math.Min(Math.Min(pending, _peerMaxFrameSize), Math.Min(stream.SendWindow.Available, _connectionSendWindow.Available));
            if (n == 0)
            {
                return false;
            }

            bool last = n == pending && stream.EndQueued && stream.Trailers is null;
            FrameWriter.WriteData(_output, stream.Id, stream.Pending!.WrittenSpan[..n], last);
            stream.SendWindow.TryConsume(n);
            _connectionSendWindow.TryConsume(n);
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
            EncodeFields(trailers);
            FrameWriter.WriteHeaders(_output, stream.Id, _encodeScratch.WrittenSpan, endStream: true, _peerMaxFrameSize);
            stream.Trailers = null;
        }
        else
        {
            FrameWriter.WriteData(_output, stream.Id, default, endStream: true);
        }

        ApplyLocalEnd(stream);
        return true;
    }

    private void ApplyLocalEnd(Http2Stream stream)
    {
        stream.EndQueued = false;
        stream.State = StreamStateMachine.Transition(stream.State, StreamEvent.SendEndStream) ?? StreamState.Closed;
        if (stream.State == StreamState.HalfClosedLocal)
        {
            // §8.1: the response is complete but the request is not; ask the client to stop sending it.
            FrameWriter.WriteRstStream(_output, stream.Id, Http2ErrorCode.NoError);
            RecordReset(stream.Id);
            stream.State = StreamState.Closed;
            if (stream.Delivered)
            {
                _handler.OnStreamReset(stream.Id, Http2ErrorCode.NoError);
            }
        }

        if (stream.State == StreamState.Closed)
        {
            CloseStream(stream);
        }
    }

    /// <summary>Forgets a stream; credit for request data the application never consumed returns to the connection.</summary>
    private void CloseStream(Http2Stream stream)
    {
        if (!_streams.Remove(stream.Id))
        {
            return;
        }

        _recentlyClosed[_recentlyClosedNext] = stream.Id;
        _recentlyClosedNext = (_recentlyClosedNext + 1) % _recentlyClosed.Length;

        if (stream.Unacknowledged > 0)
        {
            ReturnConnectionCredit(stream.Unacknowledged);
            stream.Unacknowledged = 0;
        }

        stream.Pending?.Dispose();
        stream.Pending = null;
        stream.EndQueued = false;
        stream.Trailers = null;
        if (stream.InSendQueue && !_producing)
        {
            stream.InSendQueue = false;
            _sendQueue.Remove(stream);
        }
    }

    private void ReturnConnectionCredit(int octets)
    {
        _connectionPendingWindowUpdate += octets;
        if (_connectionPendingWindowUpdate >= _limits.InitialConnectionWindowSize / 2)
        {
            FrameWriter.WriteWindowUpdate(_output, 0, _connectionPendingWindowUpdate);
            _connectionReceiveWindow.TryAdjust(_connectionPendingWindowUpdate);
            _connectionPendingWindowUpdate = 0;
        }
    }

    private void ReturnStreamCredit(Http2Stream stream, int octets)
    {
        stream.PendingWindowUpdate += octets;
        if (stream.PendingWindowUpdate >= _limits.InitialStreamWindowSize / 2 && StreamStateMachine.CanReceive(stream.State))
        {
            FrameWriter.WriteWindowUpdate(_output, stream.Id, stream.PendingWindowUpdate);
            stream.ReceiveWindow.TryAdjust(stream.PendingWindowUpdate);
            stream.PendingWindowUpdate = 0;
        }
    }
}
