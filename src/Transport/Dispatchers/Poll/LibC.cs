using System.Runtime.InteropServices;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>The few Linux system calls the poll loop needs that .NET does not expose: poll(2) and an eventfd(2) to wake it.</summary>
internal static class LibC
{
    public const short PollIn = 0x001;
    public const short PollOut = 0x004;
    public const short PollErr = 0x008;
    public const short PollHup = 0x010;
    public const short PollNval = 0x020;

    public const int EINTR = 4;
    public const int EAGAIN = 11;

    private const int EfdNonBlock = 0x800;
    private const int EfdCloexec = 0x80000;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int PollNative([In, Out] PollFd[] fds, nuint count, int timeoutMilliseconds);

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventFdNative(uint initialValue, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint ReadNative(int fd, byte[] buffer, nuint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteNative(int fd, byte[] buffer, nuint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int CloseNative(int fd);

    /// <summary>poll(2) over the first <paramref name="count"/> entries; -1 with <paramref name="errno"/> on failure.</summary>
    public static int Poll(PollFd[] fds, int count, int timeoutMilliseconds, out int errno)
    {
        int ready = PollNative(fds, (nuint)count, timeoutMilliseconds);
        errno = ready < 0 ? Marshal.GetLastPInvokeError() : 0;
        return ready;
    }

    /// <summary>A non-blocking eventfd: writing to it makes it readable, which wakes a poll.</summary>
    public static int CreateEventFd()
    {
        int fd = EventFdNative(0, EfdNonBlock | EfdCloexec);
        return fd >= 0 ? fd : throw new InvalidOperationException($"eventfd failed (errno {Marshal.GetLastPInvokeError()})");
    }

    /// <summary>Adds 1 to the eventfd's counter (wakes the poll).</summary>
    public static void Signal(int eventFd, byte[] one) => WriteNative(eventFd, one, 8);

    /// <summary>Resets the eventfd's counter.</summary>
    public static void Drain(int eventFd, byte[] scratch) => ReadNative(eventFd, scratch, 8);

    public static void Close(int fd) => CloseNative(fd);
}
