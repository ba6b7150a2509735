using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Http2Lab.Transport.Dispatchers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Processing;

/// <summary>
/// Drives one <see cref="IConnectionProcessor"/> over a <see cref="ConnectionContext"/>'s duplex pipe — the end of a
/// pipe-based dispatcher's connection pipeline. A read loop feeds the processor; output is copied into the pipe
/// by whoever finds the writer free (the read loop itself in the usual request/response case, so everything one
/// read produced goes out in one flush), or by a writer loop woken when work elsewhere produced output.
/// </summary>
internal sealed partial class PipeProcessorDriver
{
    private readonly ConnectionContext _context;
    private readonly ILogger _logger;
    private readonly LockGate _gate;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<byte> _writeSignal = Channel.CreateBounded<byte>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConnectionProcessor _processor = null!;
    private bool _transportClosed;

    private PipeProcessorDriver(ConnectionContext context, ILogger logger)
    {
        _context = context;
        _logger = logger;
        _gate = new LockGate(SignalOutput, startInline: false);
    }

    /// <summary>The terminal <see cref="ConnectionDelegate"/> that runs <paramref name="factory"/>'s processors.</summary>
    public static ConnectionDelegate Create(ConnectionProcessorFactory factory, ILogger logger) =>
        context => new PipeProcessorDriver(context, logger).RunAsync(factory);

    private async Task RunAsync(ConnectionProcessorFactory factory)
    {
        _processor = factory(new ProcessorContext(_context.ConnectionId, _context.RemoteEndPoint, _context.LocalEndPoint, _gate, _context.Features));
        PipeReader input = _context.Transport.Input;
        PipeWriter output = _context.Transport.Output;
        var lifetime = _context.Features.Get<IConnectionLifetimeNotificationFeature>();
        using CancellationTokenRegistration onClose = lifetime?.ConnectionClosedRequested.UnsafeRegister(
            static state => ((PipeProcessorDriver)state!).Run(static p => p.RequestClose()), this) ?? default;
        _context.Features.Get<IConnectionHeartbeatFeature>()?.OnHeartbeat(static state => ((PipeProcessorDriver)state).OnHeartbeat(), this);
        _context.Features.Get<ConnectionControl>()?.OnShutdownTimeout(() => Run(static p => p.Abort("the server's shutdown timeout expired")));

        Task writer = WriterLoopAsync(output);
        SignalOutput(); // a protocol may speak first
        try
        {
            await ReadLoopAsync(input, output).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            LogTransportEnded(_logger, _context.ConnectionId, ex.Message);
        }
        finally
        {
            _gate.TryEnter();
            try
            {
                _transportClosed = true;
                _processor.OnTransportClosed();
            }
            finally
            {
                _gate.ExitQuietly();
            }

            _done.TrySetResult();
            _writeSignal.Writer.TryComplete();
            await writer.ConfigureAwait(false);
            await input.CompleteAsync().ConfigureAwait(false);
            await output.CompleteAsync().ConfigureAwait(false);
            await _processor.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(PipeReader input, PipeWriter output)
    {
        bool inputEnded = false;
        while (true)
        {
            ReadResult result = await input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            // The end of input is reported after the last offer of what arrived; what it left is offered again.
            var (consumed, paused, completed, abort, endedNow) = ReceiveOutcome.Offer(_gate, _processor, buffer, result.IsCompleted, ref inputEnded);

            SequencePosition position = buffer.GetPosition(consumed);
            // When paused, leave the rest unexamined so the next read returns at once after the flush.
            input.AdvanceTo(position, paused || result.IsCompleted ? position : buffer.End);
            if (abort)
            {
                _context.Abort(new ConnectionAbortedException("The client stopped reading."));
                return;
            }

            if (paused || result.IsCompleted)
            {
                await FlushAsync(output, untilEmpty: true).ConfigureAwait(false); // backpressure: read no more until written
            }
            else if (_writeLock.Wait(0))
            {
                // The usual request/response case: answer from this thread without a hop.
                _writeLock.Release();
                await FlushAsync(output, untilEmpty: false).ConfigureAwait(false);
            }
            else
            {
                SignalOutput(); // the writer is busy streaming; keep reading (e.g. WINDOW_UPDATEs)
            }

            if (completed || IsCompleted())
            {
                // Whatever is still queued (the final GOAWAY, a response the writer loop was about to take) goes
                // out before the transport is closed; this waits for a busy writer.
                await FlushAsync(output, untilEmpty: true).ConfigureAwait(false);
                return;
            }

            if (result.IsCompleted && !endedNow && (consumed == buffer.Length || (consumed == 0 && !paused)))
            {
                // No more input will come: let in-flight work finish (it completes the processor), then leave.
                await _done.Task.ConfigureAwait(false);
                await FlushAsync(output, untilEmpty: true).ConfigureAwait(false);
                return;
            }
        }
    }

    private async Task WriterLoopAsync(PipeWriter output)
    {
        try
        {
            while (await _writeSignal.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                _writeSignal.Reader.TryRead(out _);
                await FlushAsync(output, untilEmpty: true).ConfigureAwait(false);
                if (IsCompleted())
                {
                    _context.Transport.Input.CancelPendingRead();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            LogTransportEnded(_logger, _context.ConnectionId, ex.Message);
            _done.TrySetResult();
            _context.Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>
    /// Copies the processor's output into the pipe and flushes; with <paramref name="untilEmpty"/> repeats while
    /// the processor keeps producing (large bodies), otherwise leaves the rest to the writer loop.
    /// </summary>
    private async ValueTask FlushAsync(PipeWriter output, bool untilEmpty)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                _gate.TryEnter();
                try
                {
                    if (_transportClosed || !_processor.HasOutput)
                    {
                        return;
                    }

                    _processor.DrainOutputTo(output);
                }
                finally
                {
                    _gate.ExitQuietly();
                }

                FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return;
                }

                if (!untilEmpty)
                {
                    if (HasOutput())
                    {
                        SignalOutput();
                    }

                    return;
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void SignalOutput() => _writeSignal.Writer.TryWrite(0);

    private bool IsCompleted()
    {
        bool completed = Check(static p => p.IsCompleted);
        if (completed)
        {
            _done.TrySetResult();
        }

        return completed;
    }

    private bool HasOutput() => Check(static p => p.HasOutput);

    private bool Check(Func<IConnectionProcessor, bool> question)
    {
        _gate.TryEnter();
        try
        {
            return !_transportClosed && question(_processor);
        }
        finally
        {
            _gate.ExitQuietly();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the processor inside the gate; leaving the gate wakes the writer.</summary>
    private void Run(Action<IConnectionProcessor> action)
    {
        _gate.TryEnter();
        try
        {
            if (!_transportClosed)
            {
                action(_processor);
            }
        }
        finally
        {
            _gate.Exit();
        }

        if (IsCompleted())
        {
            _context.Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>The dispatcher's heartbeat: timeouts and data rates; aborts the transport when the peer stopped reading.</summary>
    private void OnHeartbeat()
    {
        bool abort;
        if (!_gate.TryEnterNow())
        {
            return; // busy right now; the next beat will do
        }

        try
        {
            if (_transportClosed)
            {
                return;
            }

            _processor.OnHeartbeat();
            abort = _processor.RequiresAbort;
        }
        finally
        {
            _gate.Exit();
        }

        if (abort)
        {
            _context.Abort(new ConnectionAbortedException("The client stopped reading."));
        }
        else if (IsCompleted())
        {
            _context.Transport.Input.CancelPendingRead();
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "Connection {ConnectionId} transport ended: {Reason}")]
    private static partial void LogTransportEnded(ILogger logger, string connectionId, string reason);
}
