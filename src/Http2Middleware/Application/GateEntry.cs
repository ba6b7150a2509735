using System.Runtime.CompilerServices;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Http2.Application;

/// <summary>
/// <c>await processor.EnterAsync()</c>: completes inside the connection's gate. On a thread that may enter (any thread
/// for a lock gate, the poll loop for Poll) it enters at once; elsewhere the rest of the caller runs inside work posted
/// to the gate, on its thread. A Task completed by that posted work would not do: on a thread with a
/// SynchronizationContext of its own (the poll loop installs one) .NET does not run a <c>ConfigureAwait(false)</c>
/// continuation inline, so it went to the thread pool — outside the gate.
/// </summary>
internal readonly struct GateEntry(ConnectionGate gate) : ICriticalNotifyCompletion
{
    public GateEntry GetAwaiter() => this;

    /// <summary>Where the caller resumes is decided here, whatever it asks for.</summary>
    public GateEntry ConfigureAwait(bool continueOnCapturedContext) => this;

    /// <summary>Enters when the calling thread may (true: the caller is inside the gate and must exit it).</summary>
    public bool IsCompleted => gate.TryEnter();

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => gate.Post(Resume, (gate, continuation));

    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);

    private static void Resume(object? state)
    {
        var (gate, continuation) = ((ConnectionGate, Action))state!;
        if (gate.TryEnter())
        {
            continuation(); // the caller goes on here, inside the gate; it exits when done
        }
        else
        {
            gate.Post(Resume, state); // not a thread that may enter (cannot happen for the built-in gates): try again there
        }
    }
}
