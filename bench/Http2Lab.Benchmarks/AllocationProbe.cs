using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.Tracing;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;

namespace Http2Lab.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --alloc-probe</c>: where the request round-trip allocates. Measures managed bytes per
/// request for each session call separately (GC.GetAllocatedBytesForCurrentThread), then samples the allocated types
/// with the runtime's GCAllocationTick event (one event per ~100 KB allocated, so counts are proportional to bytes).
/// </summary>
internal static class AllocationProbe
{
    private const int Requests = 200_000;

    public static void Run()
    {
        var client = new HPackEncoder();
        int first = ClientTraffic.EncodeBlock(client, ClientTraffic.BrowserGet, HeaderIndexing.Incremental).Length;
        int repeat = ClientTraffic.EncodeBlock(client, ClientTraffic.BrowserGet, HeaderIndexing.Incremental).Length;
        int huffman = ClientTraffic.EncodeBlock(new HPackEncoder { Huffman = HuffmanPolicy.Always }, ClientTraffic.BrowserGet, HeaderIndexing.WithoutIndexing).Length;
        int raw = ClientTraffic.EncodeBlock(new HPackEncoder { Huffman = HuffmanPolicy.Never }, ClientTraffic.BrowserGet, HeaderIndexing.WithoutIndexing).Length;
        int plain = ClientTraffic.BrowserGet.Sum(f => f.Key.Length + f.Value.Length);
        Console.WriteLine($"== Browser GET header block sizes: fields {plain} octets; first {first}, repeat {repeat}, literal Huffman {huffman}, literal raw {raw}");
        foreach (RequestKind kind in Enum.GetValues<RequestKind>())
        {
            Probe(kind);
        }
    }

    private static void Probe(RequestKind kind)
    {
        KeyValuePair<string, string>[] fields = kind == RequestKind.Browser ? ClientTraffic.BrowserGet : ClientTraffic.MinimalGet;
        var client = new HPackEncoder();
        byte[] firstBlock = ClientTraffic.EncodeBlock(client, fields, HeaderIndexing.Incremental);
        byte[] repeatBlock = ClientTraffic.EncodeBlock(client, fields, HeaderIndexing.Incremental);
        var handler = new LastRequestHandler();
        var credit = new ConnectionCredit();
        using Http2Session session = ClientTraffic.StartedSession(handler);
        byte[] frame = ClientTraffic.Frames(w => FrameWriter.WriteHeaders(w, 1, firstBlock, endStream: true, Http2Constants.DefaultMaxFrameSize));
        int id = 1;
        long[] bytes = new long[4];

        void One(byte[] headers, bool measure)
        {
            long t0 = GC.GetAllocatedBytesForCurrentThread();
            session.Receive(new ReadOnlySequence<byte>(headers));
            long t1 = GC.GetAllocatedBytesForCurrentThread();
            session.SendHeaders(handler.LastStreamId, 200, ClientTraffic.HelloResponseHeaders, endStream: false);
            long t2 = GC.GetAllocatedBytesForCurrentThread();
            session.TryWriteData(handler.LastStreamId, ClientTraffic.HelloBody, endStream: true, out int accepted);
            long t3 = GC.GetAllocatedBytesForCurrentThread();
            session.AdvanceOutput(session.PendingOutput.Length);
            long t4 = GC.GetAllocatedBytesForCurrentThread();
            credit.Consumed(session, accepted);
            if (session.IsCompleted || session.ActiveStreamCount != 0 || accepted != ClientTraffic.HelloBody.Length)
            {
                throw new InvalidOperationException($"request on stream {id} did not complete");
            }

            if (measure)
            {
                bytes[0] += t1 - t0;
                bytes[1] += t2 - t1;
                bytes[2] += t3 - t2;
                bytes[3] += t4 - t3;
            }
        }

        One(frame, measure: false);
        frame = ClientTraffic.Frames(w => FrameWriter.WriteHeaders(w, 1, repeatBlock, endStream: true, Http2Constants.DefaultMaxFrameSize));
        void Next()
        {
            id += 2;
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), id);
        }

        for (int i = 0; i < 10_000; i++)
        {
            Next();
            One(frame, measure: false);
        }

        for (int i = 0; i < Requests; i++)
        {
            Next();
            One(frame, measure: true);
        }

        Console.WriteLine($"== {kind} GET, {fields.Length} fields, repeat (all-indexed) header block: managed bytes per request");
        Console.WriteLine($"   Receive (HEADERS -> OnRequest)  {bytes[0] / (double)Requests,8:F1}");
        Console.WriteLine($"   SendHeaders                     {bytes[1] / (double)Requests,8:F1}");
        Console.WriteLine($"   TryWriteData (END_STREAM)       {bytes[2] / (double)Requests,8:F1}");
        Console.WriteLine($"   AdvanceOutput                   {bytes[3] / (double)Requests,8:F1}");

        using var listener = new AllocationTickListener();
        for (int i = 0; i < 5 * Requests; i++)
        {
            Next();
            One(frame, measure: false);
        }

        listener.Dispose();
        Console.WriteLine($"   sampled types (GCAllocationTick, ~100 KB each; {listener.Total} samples):");
        foreach ((string type, int count) in listener.Counts.OrderByDescending(p => p.Value).Take(12))
        {
            Console.WriteLine($"     {count * 100.0 / Math.Max(1, listener.Total),5:F1}%  {type}");
        }
    }

    private sealed class AllocationTickListener : EventListener
    {
        private readonly object _gate = new();

        public Dictionary<string, int> Counts { get; } = [];

        public int Total { get; private set; }

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
            {
                return;
            }

            int index = eventData.PayloadNames.IndexOf("TypeName");
            string type = index >= 0 ? eventData.Payload?[index]?.ToString() ?? "?" : "?";
            lock (_gate)
            {
                Counts[type] = Counts.GetValueOrDefault(type) + 1;
                Total++;
            }
        }
    }
}
