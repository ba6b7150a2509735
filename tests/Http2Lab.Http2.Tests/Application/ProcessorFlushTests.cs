using System.Buffers;
using System.Diagnostics.Metrics;
using System.Net;
using Http2Lab.Http2.Application;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Processing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Http2Lab.Http2.Tests.Application;

/// <summary>
/// The connection processor with a recording gate standing in for a dispatcher: every exit of the gate is one flush
/// to the socket, so a test sees which frames leave together.
/// </summary>
public sealed class ProcessorFlushTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_handler_that_writes_a_small_body_and_returns_sends_headers_and_one_data_frame_in_one_flush()
    {
        await using var connection = new Connection((request, response) =>
        {
            response.SetHeader("content-type", "text/plain");
            return response.WriteAsync("Hello World\n").AsTask();
        });

        connection.SendRequest(1);
        List<Frame> flush = await connection.WaitForFlushWithAsync(1, f => f.EndStream);

        Frame[] stream = [.. flush.Where(f => f.StreamId == 1)];
        Assert.Equal([FrameType.Headers, FrameType.Data], stream.Select(f => f.Type));
        Assert.True(stream[1].EndStream);
        Assert.Equal("Hello World\n"u8.ToArray(), stream[1].Content);
        Assert.Equal(1, connection.FlushesWith(1)); // nothing else of stream 1 in any other flush
    }

    [Fact]
    public async Task A_handler_that_writes_and_waits_has_its_data_flushed_before_it_goes_on()
    {
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var connection = new Connection(async (request, response) =>
        {
            await response.WriteAsync("first");
            await proceed.Task;
        });

        connection.SendRequest(1);
        List<Frame> flush = await connection.WaitForFlushWithAsync(1, f => f.Type == FrameType.Data);
        bool waitingWhenFlushed = !proceed.Task.IsCompleted;
        proceed.SetResult();
        await connection.WaitForFlushWithAsync(1, f => f.EndStream);

        Assert.True(waitingWhenFlushed);
        Frame data = flush.Single(f => f.StreamId == 1 && f.Type == FrameType.Data);
        Assert.Equal("first"u8.ToArray(), data.Content);
        Assert.False(data.EndStream);
    }

    /// <summary>A processor, a lock gate that drains output on its outermost exit, and the client side's frames.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly RecordingGate _gate = new();
        private readonly FrameBuilder _client = new();
        private readonly Http2ConnectionProcessor _processor;

        public Connection(Http2RequestHandler handler)
        {
            var context = new ProcessorContext("test", new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 443),
                _gate, new FeatureCollection());
            _processor = new Http2ConnectionProcessor(context, new Http2Limits(), handler, new Http2Metrics(new TestMeterFactory()), NullLogger.Instance);
            _gate.Processor = _processor;
            Receive(FrameBuilder.Concat(FrameBuilder.Preface(), FrameBuilder.Settings()));
        }

        public void SendRequest(int streamId) => Receive(_client.Request(streamId));

        public int FlushesWith(int streamId) => _gate.Flushes.Count(f => f.Any(frame => frame.StreamId == streamId));

        public async Task<List<Frame>> WaitForFlushWithAsync(int streamId, Func<Frame, bool> match)
        {
            using var timeout = new CancellationTokenSource(Bound);
            while (true)
            {
                List<Frame>? found = _gate.Flushes.FirstOrDefault(f => f.Any(frame => frame.StreamId == streamId && match(frame)));
                if (found is not null)
                {
                    return found;
                }

                await Task.Delay(5, timeout.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _gate.TryEnter();
            _processor.OnTransportClosed();
            _gate.Exit();
            await _processor.DisposeAsync();
        }

        private void Receive(byte[] octets)
        {
            _gate.TryEnter();
            try
            {
                _processor.Receive(new ReadOnlySequence<byte>(octets));
            }
            finally
            {
                _gate.Exit();
            }
        }
    }

    private sealed class RecordingGate : ConnectionGate
    {
        private readonly object _lock = new();
        private readonly List<List<Frame>> _flushes = [];
        private int _depth;

        public IConnectionProcessor? Processor { get; set; }

        public List<List<Frame>> Flushes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _flushes];
                }
            }
        }

        public override bool IsEntered => Monitor.IsEntered(_lock);

        public override bool TryEnter()
        {
            Monitor.Enter(_lock);
            _depth++;
            return true;
        }

        public override void Exit()
        {
            if (--_depth == 0 && Processor is { HasOutput: true } processor)
            {
                // One write to the socket: everything queued since the gate was entered.
                var frames = new FrameBuffer();
                ReadOnlyMemory<byte> output = processor.PendingOutput;
                frames.Append(output.Span);
                processor.AdvanceOutput(output.Length);
                var flush = new List<Frame>();
                while (frames.TryRead(out Frame? frame))
                {
                    flush.Add(frame);
                }

                _flushes.Add(flush);
            }

            Monitor.Exit(_lock);
        }

        public override void Post(Action<object?> callback, object? state) => ThreadPool.QueueUserWorkItem(_ =>
        {
            TryEnter();
            try
            {
                callback(state);
            }
            finally
            {
                Exit();
            }
        });

        public override void Start(Action<object?> work, object? state) => ThreadPool.QueueUserWorkItem(_ => work(state));
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
