namespace Http2Lab.Interop.Tests.Application;

/// <summary>Bounded waits for what handlers report back to a test, with a message naming what did not happen.</summary>
internal static class Bounded
{
    /// <summary>How long a test waits for something the server should do at once.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A short quiet period for "nothing more is sent" checks.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    public static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? timeout = null)
    {
        TimeSpan bound = timeout ?? Timeout;
        try
        {
            return await task.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not happen within {bound.TotalSeconds} s.");
        }
    }

    public static async Task Within(Task task, string what, TimeSpan? timeout = null)
    {
        TimeSpan bound = timeout ?? Timeout;
        try
        {
            await task.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not happen within {bound.TotalSeconds} s.");
        }
    }

    /// <summary>A task source whose continuations never run inline on the server's threads.</summary>
    public static TaskCompletionSource<T> Source<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static TaskCompletionSource Source() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
