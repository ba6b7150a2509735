using System.Buffers;

namespace Http2Lab.Transport.Processing;

/// <summary>What one offer of input to a processor led to — the same steps for every driver.</summary>
/// <param name="Consumed">Octets the processor took.</param>
/// <param name="Paused">It wants no more input until its output is written.</param>
/// <param name="Completed">It is done: write what is left and close.</param>
/// <param name="Abort">Close at once.</param>
/// <param name="EndedNow">The end of input was reported with this offer (what is left must be offered again).</param>
internal readonly record struct ReceiveOutcome(long Consumed, bool Paused, bool Completed, bool Abort, bool EndedNow)
{
    /// <summary>
    /// Offers <paramref name="input"/> inside <paramref name="gate"/>; when the input has ended, reports it once,
    /// after that offer (<paramref name="endReported"/> remembers).
    /// </summary>
    public static ReceiveOutcome Offer(LockGate gate, IConnectionProcessor processor, in ReadOnlySequence<byte> input, bool inputEnded, ref bool endReported)
    {
        gate.TryEnter();
        try
        {
            long consumed = processor.Receive(input);
            // A processor that is already done is not told: the end may be the driver's own doing (it shuts
            // the socket's receive side to wake its reader), and the output still queued must go out.
            bool endedNow = inputEnded && !endReported && !processor.IsCompleted;
            if (endedNow)
            {
                endReported = true;
                processor.OnInputCompleted();
            }

            return new ReceiveOutcome(consumed, processor.IsInputPaused, processor.IsCompleted, processor.RequiresAbort, endedNow);
        }
        finally
        {
            gate.ExitQuietly();
        }
    }
}
