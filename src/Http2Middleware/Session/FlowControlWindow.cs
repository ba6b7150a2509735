using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

/// <summary>
/// One flow-control window (RFC 9113 §6.9). Kept as a long so that a SETTINGS_INITIAL_WINDOW_SIZE
/// change may drive it negative (§6.9.2) and overflow past 2^31-1 is detectable.
/// </summary>
public struct FlowControlWindow
{
    private long _size;

    /// <summary>Creates a window of <paramref name="initialSize"/> octets.</summary>
    public FlowControlWindow(int initialSize) => _size = initialSize;

    /// <summary>Octets currently available; may be negative.</summary>
    public readonly long Size => _size;

    /// <summary>Octets that may be sent now (never negative).</summary>
    public readonly int Available => _size <= 0 ? 0 : (int)Math.Min(_size, int.MaxValue);

    /// <summary>Adds a WINDOW_UPDATE increment or a SETTINGS delta; false if the result exceeds 2^31-1.</summary>
    public bool TryAdjust(long delta)
    {
        long next = _size + delta;
        if (next > Http2Constants.MaxWindowSize)
        {
            return false;
        }

        _size = next;
        return true;
    }

    /// <summary>Takes <paramref name="octets"/> from the window; false (and unchanged) if they do not fit.</summary>
    public bool TryConsume(int octets)
    {
        if (octets > _size)
        {
            return false;
        }

        _size -= octets;
        return true;
    }
}
