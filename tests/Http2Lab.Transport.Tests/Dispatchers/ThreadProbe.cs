using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Transport.Tests.Dispatchers;

/// <summary>Records every thread a <see cref="ThreadProbeProcessor"/> received input on.</summary>
public sealed class ThreadProbe
{
    private readonly ConcurrentQueue<Thread> _threads = new();

    public IReadOnlyList<Thread> Threads => [.. _threads.Distinct()];

    public void Record(Thread thread) => _threads.Enqueue(thread);

    /// <summary>How a processor describes the thread it runs on: <c>id|pool|name</c>.</summary>
    public static string Describe(Thread thread) => $"{thread.ManagedThreadId}|{thread.IsThreadPoolThread}|{thread.Name}";

    public static (int Id, bool Pool, string Name) Parse(string? answer)
    {
        Assert.NotNull(answer);
        var parts = answer.Split('|', 3);
        return (int.Parse(parts[0]), bool.Parse(parts[1]), parts[2]);
    }

    /// <summary>Registers the processor as protocol <paramref name="name"/>.</summary>
    public Action<IServiceCollection> Register(string name = "ThreadProbe", bool idleBetweenLines = false) =>
        services => services.AddHttp2LabProtocol(name, (_, _) => _ => new ThreadProbeProcessor(this, idleBetweenLines));
}

/// <summary>
/// A line protocol that answers every line with the thread that received it (<see cref="ThreadProbe.Describe"/>)
/// and records that thread. <c>quit</c> or a half-close ends it; a close request is answered with <c>bye</c>.
/// With <c>idleBetweenLines</c>, it is idle (<see cref="IConnectionProcessor.IsIdle"/>) once it has answered a line
/// and has nothing to write, like an HTTP/2 connection between requests.
/// </summary>
public sealed class ThreadProbeProcessor(ThreadProbe probe, bool idleBetweenLines) : IConnectionProcessor
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private bool _answered;
    private bool _done;

    public bool HasOutput => _output.WrittenCount > 0;

    public ReadOnlyMemory<byte> PendingOutput => _output.WrittenMemory;

    public bool IsInputPaused => false;

    public bool IsCompleted => _done && !HasOutput;

    public bool RequiresAbort => false;

    public bool IsIdle => idleBetweenLines && _answered && !_done && !HasOutput;

    public long Receive(in ReadOnlySequence<byte> input)
    {
        if (input.IsEmpty || _done)
        {
            return input.Length;
        }

        probe.Record(Thread.CurrentThread);
        var reader = new SequenceReader<byte>(input);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (Encoding.ASCII.GetString(line).TrimEnd('\r') == "quit")
            {
                _done = true;
                return input.Length;
            }

            Write(ThreadProbe.Describe(Thread.CurrentThread) + "\r\n");
            _answered = true;
        }

        return reader.Consumed;
    }

    public void OnInputCompleted() => _done = true;

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
        if (!_done)
        {
            Write("bye\r\n");
            _done = true;
        }
    }

    public void Abort(string reason) => _done = true;

    public void OnTransportClosed() => _done = true;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Write(string text) => _output.Write(Encoding.ASCII.GetBytes(text));
}
