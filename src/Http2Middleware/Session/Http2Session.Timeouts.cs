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

    /// <summary>
    /// Checks every timeout and data rate; the driver calls it about once a second (one heartbeat serves all
    /// connections of an endpoint). May queue GOAWAY or RST_STREAM, complete the session, or set
    /// <see cref="RequiresAbort"/>.
    /// </summary>
    public void OnHeartbeat()
    {
        AssertOwner();
        if (IsClosed)
        {
            return;
        }

        long now = Time.GetTimestamp();
        TimeSpan interval = _lastHeartbeat == 0 ? TimeSpan.Zero : Time.GetElapsedTime(_lastHeartbeat, now);
        if (interval > MaxHeartbeatInterval)
        {
            interval = MaxHeartbeatInterval;
        }

        _lastHeartbeat = now;
        if (CheckConnectionTimeouts(now) && CheckOutputRate(interval) && Streams.Count > 0)
        {
            CheckStreamRates(interval);
        }

        if (Streams.Count == 0)
        {
            ReleaseIdleBuffers();
        }
    }

    /// <summary>Preface, SETTINGS ACK, field block and keep-alive deadlines. False once the connection ended.</summary>
    private bool CheckConnectionTimeouts(long now)
    {
        if (!SettingsReceived && Time.GetElapsedTime(_createdAt, now) > Limits.ClientPrefaceTimeout)
        {
            return Timeout(Http2ErrorCode.ProtocolError, $"no connection preface and SETTINGS within {Limits.ClientPrefaceTimeout.TotalSeconds:0.#} s (ClientPrefaceTimeout)");
        }

        if (_settingsSentAt != 0 && !SettingsAcknowledged && Time.GetElapsedTime(_settingsSentAt, now) > Limits.SettingsAckTimeout)
        {
            return Timeout(Http2ErrorCode.SettingsTimeout, $"SETTINGS not acknowledged within {Limits.SettingsAckTimeout.TotalSeconds:0.#} s (§6.5.3)");
        }

        if (FieldBlockStartedAt != 0 && Time.GetElapsedTime(FieldBlockStartedAt, now) > Limits.RequestHeadersTimeout)
        {
            return Timeout(Http2ErrorCode.EnhanceYourCalm, $"field block not completed within {Limits.RequestHeadersTimeout.TotalSeconds:0.#} s (RequestHeadersTimeout)");
        }

        // §6.8: a client that never acknowledges the shutdown PING gets the final GOAWAY anyway.
        if (_shutdownAnnouncedAt != 0 && !GoAwaySent && Time.GetElapsedTime(_shutdownAnnouncedAt, now) >= ShutdownPingTimeout)
        {
            SendFinalGoAway();
        }

        // Keep-alive: no open stream and no complete frame for KeepAliveTimeout (idle, or dripping partial frames).
        if (Streams.Count > 0 || FramesReceived != _framesAtLastHeartbeat)
        {
            _framesAtLastHeartbeat = FramesReceived;
            _idleSince = now;
        }
        else if (!IsShuttingDown && Time.GetElapsedTime(_idleSince, now) > Limits.KeepAliveTimeout)
        {
            SessionLog.KeepAliveTimeout(Logger, Limits.KeepAliveTimeout.TotalSeconds);
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
        if (Output.IsEmpty)
        {
            OutputClock.Reset();
            return true;
        }

        OutputClock.Run(interval);
        if (!OutputClock.IsTooSlow(Limits.MinResponseDataRate, Limits.DataRateGracePeriod))
        {
            return true;
        }

        Timeout(Http2ErrorCode.EnhanceYourCalm, $"the client reads its socket slower than {Limits.MinResponseDataRate} octets/s (MinResponseDataRate)");
        RequiresAbort = true;
        Output.Clear();
        return false;
    }

    private void CheckStreamRates(TimeSpan interval)
    {
        bool connectionCanReceive = ConnectionInbound.Available > 0;
        Http2ServerStream[] streams = SnapshotStreams();
        if (!CheckConnectionResponseRate(streams, interval))
        {
            return;
        }

        foreach (Http2ServerStream stream in streams)
        {
            if (IsClosed)
            {
                return;
            }

            // Request body: time counts while the client may send (windows open, and we are reading: input is not
            // paused for backpressure) and has not finished.
            if (StreamStateMachine.CanReceive(stream.State) && connectionCanReceive && !IsInputPaused && stream.Inbound.Available > 0)
            {
                stream.ReceivedDataClock.Run(interval);
                long inFlight = PartialDataOctets(stream.Id);
                if (stream.ReceivedDataClock.IsTooSlow(Limits.MinRequestBodyDataRate, Limits.DataRateGracePeriod, inFlight))
                {
                    bool responded = stream.State == StreamState.HalfClosedLocal;
                    ResetByUs(stream, responded ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel,
                        $"request body slower than {Limits.MinRequestBodyDataRate} octets/s (MinRequestBodyDataRate)");
                    continue;
                }
            }

            // Response: time counts while data waits for a window only the client can open.
            if (stream.HasWorkToSend && stream.Outbound.Available == 0)
            {
                stream.SentDataClock.Run(interval);
                if (stream.SentDataClock.IsTooSlow(Limits.MinResponseDataRate, Limits.DataRateGracePeriod))
                {
                    ResetByUs(stream, Http2ErrorCode.Cancel,
                        $"client reads the response slower than {Limits.MinResponseDataRate} octets/s (MinResponseDataRate)");
                }
            }
            else
            {
                stream.SentDataClock.Reset();
            }
        }
    }

    /// <summary>
    /// The connection's response data as a whole: while some stream waits for a window (or for room in the
    /// connection's response buffer, held by streams that wait for windows), DATA must still flow at the minimum rate
    /// on some stream. If none does, the client is holding every stream: all that wait are reset together, instead of
    /// one buffer's worth at a time. False if it fired.
    /// </summary>
    private bool CheckConnectionResponseRate(Http2ServerStream[] streams, TimeSpan interval)
    {
        bool waiting = false;
        foreach (Http2ServerStream stream in streams)
        {
            if (stream.WaitingForBuffer || (stream.HasWorkToSend && stream.Outbound.Available == 0))
            {
                waiting = true;
                break;
            }
        }

        if (!waiting)
        {
            SentDataClock.Reset();
            return true;
        }

        SentDataClock.Run(interval);
        if (!SentDataClock.IsTooSlow(Limits.MinResponseDataRate, Limits.DataRateGracePeriod))
        {
            return true;
        }

        // Chosen before any is reset: each reset frees buffer room and wakes (clears) the waiters.
        Http2ServerStream[] stalled = [.. streams.Where(s => s.WaitingForBuffer || s.HasWorkToSend)];
        foreach (Http2ServerStream stream in stalled)
        {
            if (!IsClosed && stream.State != StreamState.Closed)
            {
                ResetByUs(stream, Http2ErrorCode.Cancel,
                    $"client reads the responses slower than {Limits.MinResponseDataRate} octets/s (MinResponseDataRate)");
            }
        }

        SentDataClock.Reset();
        return false;
    }

    private bool Timeout(Http2ErrorCode errorCode, string reason)
    {
        ConnectionError(FrameError.Connection(errorCode, reason));
        return false;
    }
}
