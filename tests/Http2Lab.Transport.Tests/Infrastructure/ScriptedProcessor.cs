using System.Buffers;
using System.Text;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>
/// A test processor that says what it is told: a greeting at once, a farewell when the server asks it to close
/// (or nothing, if it is stubborn), and it never answers input.
/// </summary>
public sealed class ScriptedProcessor(string greeting, string? farewell, bool stubborn = false) : IConnectionProcessor
{
    private readonly ArrayBufferWriter<byte> _output = Write(new ArrayBufferWriter<byte>(), greeting);
    private bool _done;

    public bool HasOutput => _output.WrittenCount > 0;

    public ReadOnlyMemory<byte> PendingOutput => _output.WrittenMemory;

    public bool IsInputPaused => false;

    public bool IsCompleted => _done && !HasOutput;

    public bool RequiresAbort => false;

    public bool IsIdle => false;

    public long Receive(in ReadOnlySequence<byte> input) => input.Length;

    public void OnInputCompleted() => _done = !stubborn;

    public void AdvanceOutput(int count)
    {
        byte[] rest = _output.WrittenSpan[count..].ToArray();
        _output.ResetWrittenCount();
        _output.Write(rest);
    }

    public void DrainOutputTo(IBufferWriter<byte> destination)
    {
        destination.Write(_output.WrittenSpan);
        _output.ResetWrittenCount();
    }

    public void OnHeartbeat()
    {
    }

    public void RequestClose()
    {
        if (stubborn)
        {
            return;
        }

        if (farewell is not null)
        {
            Write(_output, farewell);
        }

        _done = true;
    }

    public void Abort(string reason)
    {
        if (!stubborn)
        {
            _done = true;
        }
    }

    public void OnTransportClosed() => _done = true;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static ArrayBufferWriter<byte> Write(ArrayBufferWriter<byte> output, string text)
    {
        output.Write(Encoding.ASCII.GetBytes(text));
        return output;
    }
}
