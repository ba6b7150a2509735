using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

/// <summary>
/// The SETTINGS parameters of one endpoint (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1): their values,
/// the rules a received value must follow, and the list we advertise. A session keeps two: ours (from
/// <see cref="Http2Limits"/>) and the peer's (starting at the RFC defaults). A new parameter is added here.
/// </summary>
internal sealed class Http2Settings
{
    /// <summary>SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table the endpoint's decoder allows.</summary>
    public uint HeaderTableSize { get; private set; } = Http2Constants.DefaultHeaderTableSize;

    /// <summary>SETTINGS_ENABLE_PUSH: whether the endpoint accepts server push.</summary>
    public bool EnablePush { get; private set; } = true;

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS: streams the endpoint lets its peer open; unlimited by default.</summary>
    public uint MaxConcurrentStreams { get; private set; } = uint.MaxValue;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE: each new stream's window for what the endpoint receives.</summary>
    public int InitialWindowSize { get; private set; } = Http2Constants.DefaultInitialWindowSize;

    /// <summary>SETTINGS_MAX_FRAME_SIZE: the largest frame payload the endpoint accepts.</summary>
    public int MaxFrameSize { get; private set; } = Http2Constants.DefaultMaxFrameSize;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE: advisory; unlimited by default.</summary>
    public uint MaxHeaderListSize { get; private set; } = uint.MaxValue;

    /// <summary>SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441).</summary>
    public bool EnableConnectProtocol { get; private set; }

    /// <summary>SETTINGS_NO_RFC7540_PRIORITIES (RFC 9218).</summary>
    public bool NoRfc7540Priorities { get; private set; }

    /// <summary>Whether these are a server's: then SETTINGS_ENABLE_PUSH may only be 0 (§6.5.2).</summary>
    public bool OfServer { get; private init; }

    /// <summary>A server peer's settings until its SETTINGS arrive: the RFC defaults.</summary>
    public static Http2Settings ServerDefaults() => new() { OfServer = true };

    /// <summary>A client peer's settings until its SETTINGS arrive: the RFC defaults.</summary>
    public static Http2Settings ClientDefaults() => new();

    /// <summary>Our settings as a server configured by <paramref name="limits"/>: push disabled, the limits advertised.</summary>
    public static Http2Settings ForServer(Http2Limits limits) => new()
    {
        OfServer = true,
        EnablePush = false,
        MaxConcurrentStreams = (uint)limits.MaxConcurrentStreams,
        InitialWindowSize = limits.InitialStreamWindowSize,
        MaxFrameSize = limits.MaxFrameSize,
        MaxHeaderListSize = (uint)limits.MaxHeaderListSize,
        HeaderTableSize = (uint)limits.HeaderTableSize,
    };

    /// <summary>
    /// The parameters a server advertises in its first SETTINGS. ENABLE_PUSH is never sent by a server
    /// (§6.5.2: only 0 would be meaningful, and a client may not push anyway).
    /// </summary>
    public int WriteServerAdvertisement(Span<KeyValuePair<SettingsParameter, uint>> destination)
    {
        destination[0] = new(SettingsParameter.MaxConcurrentStreams, MaxConcurrentStreams);
        destination[1] = new(SettingsParameter.InitialWindowSize, (uint)InitialWindowSize);
        destination[2] = new(SettingsParameter.MaxFrameSize, (uint)MaxFrameSize);
        destination[3] = new(SettingsParameter.MaxHeaderListSize, MaxHeaderListSize);
        destination[4] = new(SettingsParameter.HeaderTableSize, HeaderTableSize);
        return 5;
    }

    /// <summary>
    /// Our settings as a client configured by <paramref name="limits"/>: push disabled (§8.4) and our receiving side
    /// advertised. The HPACK table is not advertised, so the server's encoder keeps to the default; our decoder still
    /// allows what the limits allow, which only keeps older entries a little longer (RFC 7541 §4.2).
    /// </summary>
    public static Http2Settings ForClient(Http2Limits limits) => new()
    {
        EnablePush = false,
        HeaderTableSize = (uint)Math.Max(limits.HeaderTableSize, Http2Constants.DefaultHeaderTableSize),
        InitialWindowSize = limits.InitialStreamWindowSize,
        MaxFrameSize = limits.MaxFrameSize,
        MaxHeaderListSize = (uint)limits.MaxHeaderListSize,
    };

    /// <summary>The parameters a client advertises in its first SETTINGS: ENABLE_PUSH 0 first (§6.5.2), then its windows and sizes.</summary>
    public int WriteClientAdvertisement(Span<KeyValuePair<SettingsParameter, uint>> destination)
    {
        destination[0] = new(SettingsParameter.EnablePush, 0);
        destination[1] = new(SettingsParameter.InitialWindowSize, (uint)InitialWindowSize);
        destination[2] = new(SettingsParameter.MaxHeaderListSize, MaxHeaderListSize);
        destination[3] = new(SettingsParameter.MaxFrameSize, (uint)MaxFrameSize);
        return 4;
    }

    /// <summary>The most parameters either advertisement writes.</summary>
    public const int MaxAdvertised = 5;

    /// <summary>
    /// Applies one received parameter (§6.5.2). Unknown identifiers are ignored (§6.5.2); a value out of range
    /// is a connection error with the RFC's code; a server's ENABLE_PUSH may only be 0 (<see cref="OfServer"/>).
    /// </summary>
    public bool TryApply(SettingsParameter parameter, uint value, out FrameError error)
    {
        error = default;
        switch (parameter)
        {
            case SettingsParameter.HeaderTableSize:
                HeaderTableSize = value;
                return true;
            case SettingsParameter.EnablePush:
                if (value > 1 || (OfServer && value != 0))
                {
                    error = FrameError.Connection(Http2ErrorCode.ProtocolError, $"SETTINGS_ENABLE_PUSH {value} is not allowed (§6.5.2)");
                    return false;
                }

                EnablePush = value == 1;
                return true;
            case SettingsParameter.MaxConcurrentStreams:
                MaxConcurrentStreams = value;
                return true;
            case SettingsParameter.InitialWindowSize:
                if (value > Http2Constants.MaxWindowSize)
                {
                    error = FrameError.Connection(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (§6.5.2)");
                    return false;
                }

                InitialWindowSize = (int)value;
                return true;
            case SettingsParameter.MaxFrameSize:
                if (value is < Http2Constants.DefaultMaxFrameSize or > Http2Constants.MaxAllowedFrameSize)
                {
                    error = FrameError.Connection(Http2ErrorCode.ProtocolError, $"SETTINGS_MAX_FRAME_SIZE {value} outside 16384..16777215 (§6.5.2)");
                    return false;
                }

                MaxFrameSize = (int)value;
                return true;
            case SettingsParameter.MaxHeaderListSize:
                MaxHeaderListSize = value;
                return true;
            case SettingsParameter.EnableConnectProtocol:
            case SettingsParameter.NoRfc7540Priorities:
                if (value > 1)
                {
                    error = FrameError.Connection(Http2ErrorCode.ProtocolError, $"SETTINGS {parameter} must be 0 or 1");
                    return false;
                }

                if (parameter == SettingsParameter.EnableConnectProtocol)
                {
                    EnableConnectProtocol = value == 1;
                }
                else
                {
                    NoRfc7540Priorities = value == 1;
                }

                return true;
            default:
                return true;
        }
    }
}
