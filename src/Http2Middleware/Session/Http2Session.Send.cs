namespace Http2Lab.Http2.Session;

// The application's side: responses within the connection's response buffer, and the request body it gives up (§8.1).
internal sealed partial class Http2Session
{
    private bool _bufferWaiters;

    /// <summary>
    /// Sends the response header section. Returns false when the stream no longer exists (reset or
    /// connection closed), which is a normal race, not an error.
    /// </summary>
    /// <exception cref="InvalidOperationException">Headers were already sent on this stream.</exception>
    public bool SendHeaders(int streamId, int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        AssertOwner();
        if (!TryGetSendableStream(streamId, out Http2ServerStream? stream))
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
        if (!TryGetSendableStream(streamId, out Http2ServerStream? stream))
        {
            return false;
        }

        if (stream.HeadersSent)
        {
            throw new InvalidOperationException($"Response headers were already sent on stream {streamId}.");
        }

        ReadOnlySpan<byte> body = response.Body;
        if (!Encoder.HasPendingSizeUpdate && IsSendQueueEmpty && Output.Length < DataHighWater
            && body.Length <= MaxDataFrame && body.Length <= stream.Outbound.Available)
        {
            int length = response.Frames.Length;
            response.CopyTo(Output.GetSpan(length), streamId);
            Output.Advance(length);
            stream.HeadersSent = true;
            if (body.Length > 0)
            {
                CountSentData(stream, body.Length);
            }

            bodySent = body.Length;
            ApplyLocalEnd(stream);
            return true;
        }

        BeginFieldBlock();
        EncodeScratch.Write(response.HeaderBlock);
        SendHeaderBlock(stream, endStream: body.IsEmpty);
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
        if (!TryGetSendableStream(streamId, out Http2ServerStream? stream))
        {
            return false;
        }

        if (!stream.HeadersSent)
        {
            throw new InvalidOperationException($"Response headers must be sent before data on stream {streamId}.");
        }

        // Fast path: nothing queued anywhere, so send straight into the output within the windows.
        if (stream.PendingLength == 0 && IsSendQueueEmpty)
        {
            while (!data.IsEmpty && Output.Length < DataHighWater)
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
            int ownRoom = Limits.StreamOutputBufferSize - stream.PendingLength;
            int take = Math.Min(data.Length, WriteCapacity(stream));
            if (take > 0)
            {
                BufferData(stream, data[..take]);
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

            if (data.IsEmpty || stream.PendingLength > 0 || IsClosed || !StreamStateMachine.CanSend(stream.State))
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
        return Streams.TryGetValue(streamId, out Http2ServerStream? stream) && StreamStateMachine.CanSend(stream.State) && !stream.EndQueued
            ? WriteCapacity(stream)
            : 0;
    }

    private int WriteCapacity(Http2ServerStream stream) =>
        Math.Max(0, Math.Min(Limits.StreamOutputBufferSize - stream.PendingLength, Limits.ConnectionResponseBufferSize - BufferedOctets));

    /// <summary>Ends the response with trailers, after any data still waiting for window. False when the stream is gone.</summary>
    public bool SendTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        AssertOwner();
        if (!TryGetSendableStream(streamId, out Http2ServerStream? stream))
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
    /// The application will not read the rest of the request body (its handler finished): what it has not
    /// consumed, and what still arrives, is discarded with the connection's credit returned. Once the response is
    /// complete the stream stays half-closed (local) until the client's END_STREAM (§8.1).
    /// </summary>
    public void AbandonRequestBody(int streamId)
    {
        AssertOwner();
        if (IsClosed || !Streams.TryGetValue(streamId, out Http2ServerStream? stream) || stream.BodyAbandoned)
        {
            return;
        }

        stream.BodyAbandoned = true;
        ReturnConnectionCredit(stream.Inbound.Discard());
        ResetIfBodyUnwanted(stream);
    }

    private bool TryGetSendableStream(int streamId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Http2ServerStream? stream)
    {
        if (!IsClosed && Streams.TryGetValue(streamId, out stream) && StreamStateMachine.CanSend(stream.State) && !stream.EndQueued)
        {
            return true;
        }

        stream = null;
        return false;
    }

    private void SendResponseHeaders(Http2ServerStream stream, int statusCode, IReadOnlyList<KeyValuePair<string, string>> headers, bool endStream)
    {
        BeginFieldBlock();
        Encoder.EncodeStatus(EncodeScratch, statusCode);
        EncodeFields(headers);
        SendHeaderBlock(stream, endStream);
    }

    protected override void OnStreamWritable(Http2ServerStream stream) => _handler.OnStreamWritable(stream.Id);

    /// <summary>Our response is complete: a request body nobody reads may now be reset (§8.1).</summary>
    protected override void OnLocalEnd(Http2ServerStream stream) => ResetIfBodyUnwanted(stream);

    protected override void OnDataProduced() => WakeBufferWaiters();

    /// <summary>Streams whose writes were cut short by the connection's response buffer may write again.</summary>
    private void WakeBufferWaiters()
    {
        if (!_bufferWaiters || BufferedOctets > Limits.ConnectionResponseBufferSize / 2 || IsProducing)
        {
            return;
        }

        _bufferWaiters = false;
        foreach (Http2ServerStream stream in SnapshotStreams())
        {
            if (stream.WaitingForBuffer)
            {
                stream.WaitingForBuffer = false;
                _handler.OnStreamWritable(stream.Id);
            }
        }
    }
}
