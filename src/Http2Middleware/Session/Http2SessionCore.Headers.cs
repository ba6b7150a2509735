using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// SETTINGS, and field blocks up to the point where their meaning depends on the role: HEADERS, CONTINUATION, trailers.
internal abstract partial class Http2SessionCore<TStream>
{
    private void OnSettings(in Http2Frame frame)
    {
        if (frame.IsAck)
        {
            // Our SETTINGS are in force now, including a smaller header table than the default.
            SettingsAcknowledged = true;
            _decoder.MaxDynamicTableSize = (int)Math.Min(LocalSettings.HeaderTableSize, int.MaxValue);
            return;
        }

        // The preface's SETTINGS is part of the handshake; only later ones count against a rate.
        if (SettingsReceived && !WithinRate(RateLimitedEvent.Settings))
        {
            return;
        }

        SettingsReceived = true;
        for (int i = 0; i < frame.SettingsCount; i++)
        {
            (SettingsParameter parameter, uint value) = frame.GetSetting(i);
            int oldWindow = PeerSettings.InitialWindowSize;
            if (!PeerSettings.TryApply(parameter, value, out FrameError error))
            {
                ConnectionError(error);
                return;
            }

            if (parameter == SettingsParameter.HeaderTableSize)
            {
                Encoder.SetPeerMaxTableSize((int)Math.Min(value, int.MaxValue));
            }
            else if (parameter == SettingsParameter.InitialWindowSize && !TryApplyInitialWindowSize(PeerSettings.InitialWindowSize - (long)oldWindow))
            {
                return;
            }
        }

        FrameWriter.WriteSettingsAck(Output);
        OnPeerSettings();
        ProduceData();
    }

    /// <summary>§6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE changes every open stream's window; they may go negative.</summary>
    private bool TryApplyInitialWindowSize(long delta)
    {
        foreach (TStream stream in Streams.Values)
        {
            if (!stream.Outbound.TryGrow(delta))
            {
                ConnectionError(FrameError.Connection(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE overflows a stream window (§6.9.2)"));
                return false;
            }

            if (delta > 0 && stream.HasWorkToSend)
            {
                Enqueue(stream);
            }
        }

        return true;
    }

    private void OnHeaders(in Http2Frame frame)
    {
        if (frame.EndHeaders)
        {
            OnFieldBlock(frame.StreamId, frame.Content, frame.EndStream, frame.IsSelfDependent);
            return;
        }

        if (FieldBlockStartedAt == 0)
        {
            FieldBlockStartedAt = Time.GetTimestamp();
        }

        if (!_assembler.TryBegin(frame, out FrameError error))
        {
            ConnectionError(error);
        }
    }

    private void OnContinuation(in Http2Frame frame)
    {
        if (!_assembler.TryAppend(frame, out bool complete, out FrameError error))
        {
            ConnectionError(error);
            return;
        }

        if (complete)
        {
            try
            {
                OnFieldBlock(_assembler.StreamId, _assembler.Block, _assembler.EndStream, _assembler.SelfDependent);
            }
            finally
            {
                _assembler.Reset();
            }
        }
    }

    /// <summary>
    /// Decodes <paramref name="block"/> into <see cref="Collector"/>, reset by the role for what it expects. Every block
    /// is decoded, even one that is then rejected: the HPACK context must stay in step with the peer's (§4.3).
    /// </summary>
    protected void DecodeFieldBlock(ReadOnlySpan<byte> block) => _decoder.Decode(block, Collector);

    /// <summary>
    /// The collected block as the trailers of <paramref name="stream"/> (§8.1): they must end the stream, be well formed,
    /// and complete exactly the content-length announced (§8.1.1). Null after the stream error that broke one of those.
    /// </summary>
    protected KeyValuePair<string, string>[]? TakeTrailers(TStream stream, bool endStream)
    {
        if (!endStream)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "trailers without END_STREAM (§8.1)");
            return null;
        }

        if (Collector.Error is not null || Collector.TooLarge)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, "malformed trailers: " + (Collector.Error ?? "too large"));
            return null;
        }

        if (stream.ExpectedContentLength is long expected && expected != stream.ReceivedLength)
        {
            StreamError(stream, Http2ErrorCode.ProtocolError, $"content-length {expected} does not match the DATA received (§8.1.1)");
            return null;
        }

        return Collector.TakeFields();
    }

    /// <summary>
    /// The largest header block buffered: compressed blocks are rarely larger than the list they decode
    /// to, so twice the list limit (plus a frame) bounds memory without rejecting real messages.
    /// </summary>
    private static int MaxHeaderBlockSize(Http2Limits limits) =>
        (int)Math.Min(int.MaxValue / 2, 2L * limits.MaxHeaderListSize + limits.MaxFrameSize);
}
