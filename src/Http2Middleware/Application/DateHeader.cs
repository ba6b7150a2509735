using System.Globalization;

namespace Http2Lab.Http2.Application;

/// <summary>
/// The <c>date</c> field value (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once per second and shared by every
/// response of that second: a request reads a reference, it never formats or allocates.
/// </summary>
internal sealed class DateHeader
{
    private static readonly DateHeader Shared = new();

    private Snapshot _current = new(long.MinValue, "");

    /// <summary>The IMF-fixdate of the current second, e.g. <c>Sun, 06 Nov 1994 08:49:37 GMT</c>.</summary>
    public static string Value => Shared.Get(TimeProvider.System.GetUtcNow());

    /// <summary>The IMF-fixdate of <paramref name="now"/>'s second, cached until the second changes.</summary>
    public string Get(DateTimeOffset now)
    {
        long second = now.UtcTicks / TimeSpan.TicksPerSecond;
        Snapshot current = Volatile.Read(ref _current);
        if (current.Second == second)
        {
            return current.Text;
        }

        // Two threads may both format at a second's turn; either result is right, one of them is kept.
        var next = new Snapshot(second, new DateTimeOffset(second * TimeSpan.TicksPerSecond, TimeSpan.Zero).ToString("r", CultureInfo.InvariantCulture));
        Volatile.Write(ref _current, next);
        return next.Text;
    }

    private sealed record Snapshot(long Second, string Text);
}
