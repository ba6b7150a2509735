using System.Buffers;
using BenchmarkDotNet.Attributes;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Testing;

namespace Http2Lab.Benchmarks;

/// <summary>
/// Frame parsing: <see cref="FrameHeader.Read"/> alone, and <see cref="Http2Session.Receive"/> over control frames
/// that create no stream (PING, WINDOW_UPDATE on stream 0, PRIORITY, SETTINGS ACK), output drained each time.
/// Results are per frame (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class FrameParsingBenchmarks
{
    private const int FramesPerBatch = 32;

    private byte[] _headers = [];
    private byte[] _pings = [];
    private byte[] _mix = [];
    private ReadOnlySequence<byte> _mixSegmented;
    private Http2Session _session = null!;

    [GlobalSetup]
    public void Setup()
    {
        _headers = ClientTraffic.Frames(w =>
        {
            for (int i = 0; i < FramesPerBatch; i++)
            {
                new FrameHeader(i * 97, (FrameType)(i % 10), (FrameFlags)(i & 0x25), (i * 2) + 1).Write(w.GetSpan(9));
                w.Advance(9);
            }
        });

        _pings = ClientTraffic.Frames(w =>
        {
            for (int i = 0; i < FramesPerBatch; i++)
            {
                FrameWriter.WritePing(w, (ulong)i, ack: false);
            }
        });

        // WINDOW_UPDATE increments of 1 keep the connection window far from 2^31-1 for the whole run.
        _mix = ClientTraffic.Frames(w =>
        {
            for (int i = 0; i < FramesPerBatch / 4; i++)
            {
                FrameWriter.WritePing(w, (ulong)i, ack: false);
                FrameWriter.WriteWindowUpdate(w, 0, 1);
                TestFrameWriter.WritePriority(w, (i * 2) + 3, 0, exclusive: false, weight: 15);
                FrameWriter.WriteSettingsAck(w);
            }
        });

        // 100-octet segments: most frames straddle a segment boundary (the pipe's worst case).
        _mixSegmented = ClientTraffic.Segmented(_mix, 100);
        _session = ClientTraffic.StartedSession(new LastRequestHandler());

        // Sanity: every frame is consumed and none closes the connection.
        Receive(new ReadOnlySequence<byte>(_mix));
        Receive(_mixSegmented);
        Receive(new ReadOnlySequence<byte>(_pings));
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public int FrameHeader_Read()
    {
        ReadOnlySpan<byte> buffer = _headers;
        int sum = 0;
        for (int offset = 0; offset + 9 <= buffer.Length; offset += 9)
        {
            FrameHeader header = FrameHeader.Read(buffer[offset..]);
            sum += header.PayloadLength + header.StreamId + (int)header.Type + (int)header.Flags;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public long Receive_Pings() => Receive(new ReadOnlySequence<byte>(_pings));

    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public long Receive_ControlMix() => Receive(new ReadOnlySequence<byte>(_mix));

    [Benchmark(OperationsPerInvoke = FramesPerBatch)]
    public long Receive_ControlMix_Segmented() => Receive(_mixSegmented);

    private long Receive(in ReadOnlySequence<byte> input)
    {
        long consumed = _session.Receive(input);
        if (consumed != input.Length || _session.IsCompleted)
        {
            throw new InvalidOperationException($"session consumed {consumed} of {input.Length} octets, completed={_session.IsCompleted}");
        }

        _session.AdvanceOutput(_session.PendingOutput.Length);
        return consumed;
    }
}
