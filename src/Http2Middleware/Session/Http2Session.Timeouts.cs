using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// Timeouts and minimum data rates, all driven by the driver's heartbeat: no timer per connection.
internal sealed partial class Http2Session
{
    // A heartbeat that comes late (a paused process, a busy machine) must not count as a long stall.
    private static readonly TimeSpan MaxHeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long the first step of a graceful shutdown waits for the client to acknowledge its PING.</summary>
    public static readonly TimeSpan ShutdownPingTimeout = TimeSpan.FromSeconds(1);

    // "GOAWAY.." in ASCII: the opaque data of the shutdown PING, told apart from SendPing's timestamps.
    private const ulong ShutdownPingPayload = 0x474F_4157_4159_2E2E;

    private readonly long _createdAt;
    private long _lastHeartbeat;
    private long _idleSince;
    private long _framesAtLastHeartbeat = -1;
    private DataRateClock _outputClock;
    private DataRateClock _responseClock;

    /// <summary>
    /// Checks every timeout and data rate; the driver calls it about once a second (one heartbeat serves all
    /// connections of an endpoint). May queue GOAWAY or RST_STREAM, complete the session, or set
    /// <see cref="RequiresAbort"/>.
    /// </summary>
    public void OnHeartbeat()
    {
        AssertOwner();
        if (_closed)
        {
            return;
        }

        long now = _time.GetTimestamp();
        TimeSpan interval = _lastHeartbeat == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_lastHeartbeat, now);
        if (interval > MaxHeartbeatInterval)
        {
            interval = MaxHeartbeatInterval;
        }

        _lastHeartbeat = now;
        if (CheckConnectionTimeouts(now) && CheckOutputRate(interval) && _streams.Count > 0)
        {
            CheckStreamRates(interval);
        }

        if (_streams.Count == 0)
        {
            ReleaseIdleBuffers();
        }
    }

    /// <summary>
    /// An idle connection gives its pooled buffers back (they are rented again by the next frame), so thousands of
    /// idle connections hold little more than their objects and HPACK tables.
    /// </summary>
    private void ReleaseIdleBuffers()
    {
        _output.TrimIfEmpty();
        _encodeScratch.Clear();
        _encodeScratch.TrimIfEmpty();
        _assembler.TrimIfClosed();
        if (!_assembler.IsOpen)
        {
            _decoder.ReleaseScratch();
        }

        _spareStreams.Clear(); // reused while requests come; an idle connection need not keep them
    }

    /// <summary>Preface, SETTINGS ACK, field block and keep-alive deadlines. False once the connection ended.</summary>
    private bool CheckConnectionTimeouts(long now)
    {
        if (!_settingsReceived && _time.GetElapsedTime(_createdAt, now) > _limits.ClientPrefaceTimeout)
        {
            return Timeout(Http2ErrorCode.ProtocolError, $"no connection preface and SETTINGS within {_limits.ClientPrefaceTimeout.TotalSeconds:0.#} s (ClientPrefaceTimeout)");
        }

        if (_settingsSentAt != 0 && !_settingsAcknowledged && _time.GetElapsedTime(_settingsSentAt, now) > _limits.SettingsAckTimeout)
        {
            return Timeout(Http2ErrorCode.SettingsTimeout, $"SETTINGS not acknowledged within {_limits.SettingsAckTimeout.TotalSeconds:0.#} s (§6.5.3)");
        }

        if (_headersStartedAt != 0 && _time.GetElapsedTime(_headersStartedAt, now) > _limits.RequestHeadersTimeout)
        {
            return Timeout(Http2ErrorCode.EnhanceYourCalm, $"field block not completed within {_limits.RequestHeadersTimeout.TotalSeconds:0.#} s (RequestHeadersTimeout)");
        }

        // §6.8: a client that never acknowledges the shutdown PING gets the final GOAWAY anyway.
        if (_shutdownAnnouncedAt != 0 && !_goAwaySent && _time.GetElapsedTime(_shutdownAnnouncedAt, now) >= ShutdownPingTimeout)
        {
            SendFinalGoAway();
        }

        // Keep-alive: no open stream and no complete frame for KeepAliveTimeout (idle, or dripping partial frames).
        if (_streams.Count > 0 || FramesReceived != _framesAtLastHeartbeat)
        {
            _framesAtLastHeartbeat = FramesReceived;
            _idleSince = now;
        }
        else if (!IsShuttingDown && _time.GetElapsedTime(_idleSince, now) > _limits.KeepAliveTimeout)
        {
            SessionLog.KeepAliveTimeout(_logger, _limits.KeepAliveTimeout.TotalSeconds);
            BeginGracefulShutdown();
        }

        return true;
    }

    /// <summary>
    /// The peer must take our output at MinResponseDataRate: output that stays queued means the transport
    /// cannot write (the peer does not read its socket). Then nothing can be delivered, GOAWAY included:
    /// the session gives up and asks the driver to abort, releasing everything the connection held.
    /// </summary>
    private bool CheckOutputRate(TimeSpan interval)
    {
        if (_output.IsEmpty)
        {
            _outputClock.Reset();
            return true;
        }

        _outputClock.Run(interval);
        if (!_outputClock.IsTooSlow(_limits.MinResponseDataRate, _limits.DataRateGracePeriod))
        {
            return true;
        }

        Timeout(Http2ErrorCode.EnhanceYourCalm, $"the client reads its socket slower than {_limits.MinResponseDataRate} octets/s (MinResponseDataRate)");
        RequiresAbort = true;
        _output.Clear();
        return false;
    }

    private void CheckStreamRates(TimeSpan interval)
    {
        bool connectionCanReceive = _connectionInbound.Available > 0;
        Http2Stream[] streams = SnapshotStreams();
        if (!CheckConnectionResponseRate(streams, interval))
        {
            return;
        }

        foreach (Http2Stream stream in streams)
        {
            if (_closed)
            {
                return;
            }

            // Request body: time counts while the client may send (windows open, and we are reading: input is not
            // paused for backpressure) and has not finished.
            if (StreamStateMachine.CanReceive(stream.State) && connectionCanReceive && !IsInputPaused && stream.Inbound.Available > 0)
            {
                stream.RequestBodyClock.Run(interval);
                long inFlight = _partialType == FrameType.Data && _partialStreamId == stream.Id ? _partialOctets : 0;
                if (stream.RequestBodyClock.IsTooSlow(_limits.MinRequestBodyDataRate, _limits.DataRateGracePeriod, inFlight))
                {
                    bool responded = stream.State == StreamState.HalfClosedLocal;
                    ResetByUs(stream, responded ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel,
                        $"request body slower than {_limits.MinRequestBodyDataRate} octets/s (MinRequestBodyDataRate)");
                    continue;
                }
            }

            // Response: time counts while data waits for a window only the client can open.
            if (stream.HasWorkToSend && stream.Outbound.Available == 0)
            {
                stream.ResponseClock.Run(interval);
                if (stream.ResponseClock.IsTooSlow(_limits.MinResponseDataRate, _limits.DataRateGracePeriod))
                {
                    ResetByUs(stream, Http2ErrorCode.Cancel,
                        $"client reads the response slower than {_limits.MinResponseDataRate} octets/s (MinResponseDataRate)");
                }
            }
            else
            {
                stream.ResponseClock.Reset();
            }
        }
    }

    /// <summary>
    /// The connection's response data as a whole: while some stream waits for a window (or for room in the
    /// connection's response buffer, held by streams that wait for windows), DATA must still flow at the minimum rate
    /// on some stream. If none does, the client is holding every stream: all that wait are reset together, instead of
    /// one buffer's worth at a time. False if it fired.
    /// </summary>
    private bool CheckConnectionResponseRate(Http2Stream[] streams, TimeSpan interval)
    {
        bool waiting = false;
        foreach (Http2Stream stream in streams)
        {
            if (stream.WaitingForBuffer || (stream.HasWorkToSend && stream.Outbound.Available == 0))
            {
                waiting = true;
                break;
            }
        }

        if (!waiting)
        {
            _responseClock.Reset();
            return true;
        }

        _responseClock.Run(interval);
        if (!_responseClock.IsTooSlow(_limits.MinResponseDataRate, _limits.DataRateGracePeriod))
        {
            return true;
        }

        // Chosen before any is reset: each reset frees buffer room and wakes (clears) the waiters.
        Http2Stream[] stalled = [.. streams.Where(s => s.WaitingForBuffer || s.HasWorkToSend)];
        foreach (Http2Stream stream in stalled)
        {
            if (!_closed && stream.State != StreamState.Closed)
            {
                ResetByUs(stream, Http2ErrorCode.Cancel,
                    $"client reads the responses slower than {_limits.MinResponseDataRate} octets/s (MinResponseDataRate)");
            }
        }

        _responseClock.Reset();
        return false;
    }

    private bool Timeout(Http2ErrorCode errorCode, string reason)
    {
        ConnectionError(FrameError.Connection(errorCode, reason));
        return false;
    }
}
