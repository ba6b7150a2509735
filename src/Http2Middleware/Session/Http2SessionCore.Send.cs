using Http2Lab.Http2.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Session;

// What we send: header blocks, flow-controlled DATA and its scheduler, resets and window credit (§5.2, §6.9).
internal abstract partial class Http2SessionCore<TStream>
{
    private bool _producing;

    /// <summary>Octets buffered on all streams, waiting for window.</summary>
    protected int BufferedOctets { get; private set; }

    /// <summary>The scheduler is moving data into the output (streams it holds stay in its queue until it lets go).</summary>
    protected bool IsProducing => _producing;

    /// <summary>Whether no stream waits for the scheduler (a message may then go straight into the output).</summary>
    protected bool IsSendQueueEmpty => _sendQueue.Count == 0;

    // DATA frames stay at 16 KiB even when the peer allows larger ones: a TLS record's size, fair turns between
    // streams, and no single frame pushing the output far past its high-water mark (0.05% more framing).
    protected int MaxDataFrame => Math.Min(PeerSettings.MaxFrameSize, Http2Constants.DefaultMaxFrameSize);

    /// <summary>
    /// Resets a stream with RST_STREAM (§6.4) on the application's behalf; unknown or closed streams are
    /// ignored. The application is not called back for a reset it asked for.
    /// </summary>
    public virtual void ResetStream(int streamId, Http2ErrorCode errorCode)
    {
        AssertOwner();
        if (IsClosed || !Streams.TryGetValue(streamId, out TStream? stream))
        {
            return;
        }

        FrameWriter.WriteRstStream(Output, streamId, errorCode);
        Apply(stream, StreamEvent.SendReset, errorCode, notify: false);
    }

    /// <summary>
    /// The application consumed <paramref name="octets"/> of the body it receives: their window credit goes back
    /// to the peer, batched so that WINDOW_UPDATE is not sent for every small DATA frame (§6.9).
    /// </summary>
    public void AcknowledgeData(int streamId, int octets)
    {
        AssertOwner();
        if (IsClosed || octets <= 0 || !Streams.TryGetValue(streamId, out TStream? stream))
        {
            return; // a closed stream's credit was returned when it closed.
        }

        ReleaseCredit(stream, octets);
    }

    /// <summary>Keeps <paramref name="data"/> in the stream's buffer until the scheduler sends it within the windows.</summary>
    protected void BufferData(TStream stream, ReadOnlySpan<byte> data)
    {
        (stream.Pending ??= new PooledBuffer()).Write(data);
        BufferedOctets += data.Length;
    }

    /// <summary>Starts a header block in <see cref="EncodeScratch"/> (a pending table size update first, RFC 7541 §4.2).</summary>
    protected void BeginFieldBlock()
    {
        EncodeScratch.Clear();
        Encoder.BeginHeaderBlock(EncodeScratch);
    }

    protected void EncodeFields(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            (string name, string value) = (fields[i].Key, fields[i].Value);
            Encoder.EncodeHeader(EncodeScratch, name, value, IndexingFor(name));
        }
    }

    // Credentials never enter a compression table (RFC 7541 §7.1.3); values that differ from message to message would
    // only churn the dynamic table. date changes once a second, so it is indexed: one insertion a second, and every
    // other message of that second says it in one octet instead of a ~23-octet Huffman literal (the encoding also
    // showed in profiles); etag and last-modified repeat per resource.
    private static HeaderIndexing IndexingFor(string name) => name switch
    {
        "authorization" or "cookie" or "set-cookie" or "proxy-authorization" => HeaderIndexing.NeverIndexed,
        "content-length" or "age" or "expires" => HeaderIndexing.WithoutIndexing,
        _ => HeaderIndexing.Incremental,
    };

    /// <summary>Sends the header block in <see cref="EncodeScratch"/> as HEADERS (+ CONTINUATION) on <paramref name="stream"/>.</summary>
    protected void SendHeaderBlock(TStream stream, bool endStream)
    {
        FrameWriter.WriteHeaders(Output, stream.Id, EncodeScratch.WrittenSpan, endStream, PeerSettings.MaxFrameSize);
        stream.HeadersSent = true;
        if (endStream)
        {
            ApplyLocalEnd(stream);
        }
    }

    protected void Enqueue(TStream stream)
    {
        if (!stream.InSendQueue)
        {
            stream.InSendQueue = true;
            _sendQueue.Add(stream);
        }
    }

    /// <summary>
    /// Moves queued data into the output, one frame per stream per round so that streams
    /// share the connection window fairly, until windows or the output's high-water mark stop it.
    /// </summary>
    protected void ProduceData()
    {
        if (_producing || IsClosed)
        {
            return;
        }

        _producing = true;
        try
        {
            bool progress = true;
            while (progress && _sendQueue.Count > 0 && Output.Length < DataHighWater)
            {
                progress = false;
                for (int i = 0; i < _sendQueue.Count && Output.Length < DataHighWater;)
                {
                    TStream stream = _sendQueue[i];
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

        OnDataProduced();
    }

    private bool SendNextFrame(TStream stream)
    {
        if (!StreamStateMachine.CanSend(stream.State))
        {
            // Our side ended (or never began): nothing it buffered may go out any more.
            DropPending(stream);
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
            SendData(stream, stream.Pending!.WrittenSpan[..n], last);
            stream.Pending.Consume(n);
            BufferedOctets -= n;
            if (last)
            {
                ApplyLocalEnd(stream);
            }
            else
            {
                OnStreamWritable(stream);
            }

            return true;
        }

        if (!stream.EndQueued)
        {
            return false;
        }

        if (stream.Trailers is { } trailers)
        {
            BeginFieldBlock();
            EncodeFields(trailers);
            FrameWriter.WriteHeaders(Output, stream.Id, EncodeScratch.WrittenSpan, endStream: true, PeerSettings.MaxFrameSize);
            stream.Trailers = null;
        }
        else
        {
            FrameWriter.WriteData(Output, stream.Id, default, endStream: true);
        }

        ApplyLocalEnd(stream);
        return true;
    }

    /// <summary>One DATA frame within the windows (taken from the stream's and the connection's at once); the caller applies END_STREAM.</summary>
    protected void SendData(TStream stream, ReadOnlySpan<byte> data, bool endStream)
    {
        FrameWriter.WriteData(Output, stream.Id, data, endStream);
        CountSentData(stream, data.Length);
    }

    /// <summary><paramref name="octets"/> of DATA went out on <paramref name="stream"/>: taken from the windows, counted by the clocks.</summary>
    protected void CountSentData(TStream stream, int octets)
    {
        stream.Outbound.Take(octets);
        stream.SentDataClock.Add(octets);
        SentDataClock.Add(octets);
    }

    /// <summary>We sent END_STREAM (§5.1): the stream is half-closed (local), or closed if the peer had ended too.</summary>
    protected void ApplyLocalEnd(TStream stream)
    {
        if (stream.Pending is { Length: 0 })
        {
            stream.Pending.Dispose();
            stream.Pending = null;
        }

        stream.EndQueued = false;
        Apply(stream, StreamEvent.SendEndStream);
        OnLocalEnd(stream);
    }

    /// <summary>Frees what <paramref name="stream"/> buffered to send: it will never go out.</summary>
    protected void DropPending(TStream stream)
    {
        BufferedOctets -= stream.PendingLength;
        stream.Pending?.Dispose();
        stream.Pending = null;
    }
}
