using Microsoft.Win32.SafeHandles;

namespace Http2Lab.Transport.Sockets;

/// <summary>
/// A few file descriptors the process holds in reserve (open handles on /dev/null), so that accepting connections can
/// never take the last ones. When an accept fails for lack of descriptors, the reserve is released — the runtime needs
/// descriptors to create a thread (without one it aborts the process with "Out of memory."), to load code, to log —
/// and the accept loops accept again only once it can be taken back, i.e. once descriptors really are free again.
/// </summary>
internal static class DescriptorReserve
{
    private const int Size = 16;
    private static readonly Lock Gate = new();
    private static readonly List<SafeFileHandle> Held = [];
    private static bool _initialized;

    /// <summary>Whether accepting may go on: the reserve is held (taken back now if it was released).</summary>
    public static bool IsHeld
    {
        get
        {
            lock (Gate)
            {
                if (!_initialized)
                {
                    _initialized = true;
                    return TryFill();
                }

                return Held.Count == Size || TryFill();
            }
        }
    }

    /// <summary>Accept failed for lack of descriptors: give the reserve back to the process.</summary>
    public static void Release()
    {
        lock (Gate)
        {
            foreach (SafeFileHandle handle in Held)
            {
                handle.Dispose();
            }

            Held.Clear();
        }
    }

    /// <summary>Whether <paramref name="count"/> more descriptors are free beyond the reserve (before starting a thread for a connection).</summary>
    public static bool HasHeadroom(int count)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        var probes = new List<SafeFileHandle>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                probes.Add(File.OpenHandle("/dev/null"));
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
        finally
        {
            foreach (SafeFileHandle probe in probes)
            {
                probe.Dispose();
            }
        }
    }

    private static bool TryFill()
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            while (Held.Count < Size)
            {
                Held.Add(File.OpenHandle("/dev/null"));
            }

            return true;
        }
        catch (IOException)
        {
            Release(); // all or nothing: a half-filled reserve would still leave the process short
            return false;
        }
    }
}
