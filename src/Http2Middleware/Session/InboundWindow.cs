namespace Http2Lab.Http2.Session;

/// <summary>
/// The flow-control window of what the peer sends us, on one stream or on the connection (RFC 9113 §6.9):
/// DATA takes from it, and the credit comes back — announced with WINDOW_UPDATE, batched — once the
/// application has consumed the data (or it was discarded).
/// </summary>
internal sealed class InboundWindow
{
    private readonly int _updateThreshold;
    private int _available;
    private int _held;
    private int _released;

    /// <param name="initialSize">The window the peer starts with.</param>
    /// <param name="updateThreshold">Released credit is announced once it reaches this much (batching, §6.9.1).</param>
    public InboundWindow(int initialSize, int updateThreshold)
    {
        _available = initialSize;
        _updateThreshold = Math.Max(1, updateThreshold);
    }

    /// <summary>Back to a new window of <paramref name="initialSize"/> (a pooled stream's, reused).</summary>
    public void Reset(int initialSize)
    {
        _available = initialSize;
        _held = 0;
        _released = 0;
    }

    /// <summary>Octets the peer may still send.</summary>
    public int Available => _available;

    /// <summary>Octets received and not yet released by the application.</summary>
    public int Held => _held;

    /// <summary>DATA of <paramref name="octets"/> (padding included) arrived; false if it exceeds the window (FLOW_CONTROL_ERROR).</summary>
    public bool TryReceive(int octets)
    {
        if (octets > _available)
        {
            return false;
        }

        _available -= octets;
        _held += octets;
        return true;
    }

    /// <summary>
    /// The application consumed (or the session discarded) up to <paramref name="octets"/> held octets;
    /// <paramref name="released"/> tells how many were held. Returns the WINDOW_UPDATE increment to send now,
    /// or 0 while the credit is batched.
    /// </summary>
    public int Release(int octets, out int released)
    {
        released = Math.Min(octets, _held);
        _held -= released;
        _released += released;
        if (_released < _updateThreshold)
        {
            return 0;
        }

        int increment = _released;
        _released = 0;
        _available += increment;
        return increment;
    }

    /// <summary>Raises the window beyond its initial size (the connection's first WINDOW_UPDATE, §6.9.2).</summary>
    public void Grant(int octets) => _available += octets;

    /// <summary>
    /// Nobody will consume what is held (the stream ended or its reader gave up): forgets it without giving
    /// the peer more window, and returns how much that was, for the connection's window to take back.
    /// </summary>
    public int Discard()
    {
        int held = _held;
        _held = 0;
        return held;
    }
}
