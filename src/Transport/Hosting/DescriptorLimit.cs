using System.Runtime.InteropServices;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// The process's file-descriptor limit (RLIMIT_NOFILE), from which the default connection limit is derived so that a
/// connection flood is turned away before the process runs out of descriptors (when it would fail in ways that have
/// nothing to do with accepting: loading code, creating threads, writing logs).
/// </summary>
internal static class DescriptorLimit
{
    // Descriptors left for what comes later (threads, logs, TLS, the accept loops' reserve) beyond those open at start.
    private const long Margin = 64;
    private const int ResourceNoFile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    /// <summary>The soft limit, or null where it cannot be read (not Linux).</summary>
    public static long? Current
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return null;
            }

            try
            {
                return GetRLimit(ResourceNoFile, out RLimit limit) == 0 ? (long)Math.Min(limit.Current, long.MaxValue) : null;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The default connection limit of each of <paramref name="endpoints"/> endpoints, at most <paramref name="ceiling"/>:
    /// what the descriptor limit leaves after those open now (runtime, assemblies, listeners) and a margin.
    /// </summary>
    public static int ConnectionsPerEndpoint(int endpoints, int ceiling) =>
        Current is long limit
            ? (int)Math.Clamp((limit - OpenAtStart.Value - Margin) / Math.Max(1, endpoints), 1, ceiling)
            : ceiling;

    private static readonly Lazy<long> OpenAtStart = new(() =>
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            return 128;
        }
    });
}
