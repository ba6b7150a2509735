using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

/// <summary>
/// The flow-control window of what we may send (RFC 9113 §6.9.1). A stream's window is tied to the
/// connection's, so <see cref="Available"/> is what both allow and <see cref="Take"/> takes from both.
/// Kept as a long: SETTINGS_INITIAL_WINDOW_SIZE changes may drive it negative (§6.9.2).
/// </summary>
internal sealed class OutboundWindow
{
    private readonly OutboundWindow? _connection;
    private long _size;

    /// <param name="initialSize">The window the peer granted.</param>
    /// <param name="connection">The connection's window, for a stream's; null for the connection's own.</param>
    public OutboundWindow(int initialSize, OutboundWindow? connection = null)
    {
        _size = initialSize;
        _connection = connection;
    }

    /// <summary>Back to a new window of <paramref name="initialSize"/> (a pooled stream's, reused).</summary>
    public void Reset(int initialSize) => _size = initialSize;

    /// <summary>This window alone; may be negative.</summary>
    public long Size => _size;

    /// <summary>Octets that may be sent now: this window and the connection's, never negative.</summary>
    public int Available
    {
        get
        {
            int own = _size <= 0 ? 0 : (int)Math.Min(_size, int.MaxValue);
            return _connection is null ? own : Math.Min(own, _connection.Available);
        }
    }

    /// <summary>Whether this stream's own window (not the connection's) is what stops it.</summary>
    public bool IsExhausted => _size <= 0;

    /// <summary>Takes <paramref name="octets"/> (at most <see cref="Available"/>) from this window and the connection's.</summary>
    public void Take(int octets)
    {
        _size -= octets;
        if (_connection is not null)
        {
            _connection._size -= octets;
        }
    }

    /// <summary>Adds a WINDOW_UPDATE increment or a SETTINGS delta; false (and unchanged) if the result exceeds 2^31-1.</summary>
    public bool TryGrow(long delta)
    {
        long next = _size + delta;
        if (next > Http2Constants.MaxWindowSize)
        {
            return false;
        }

        _size = next;
        return true;
    }
}
