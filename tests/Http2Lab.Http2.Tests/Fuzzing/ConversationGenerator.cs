using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// Generates a valid client conversation for a server with the given limits: preface, SETTINGS, the ACK of the
/// server's SETTINGS, and requests on several streams in a random interleaving — HPACK blocks from one
/// <see cref="HPackEncoder"/> (in sending order), CONTINUATION splits, padding, priority fields, DATA, trailers,
/// WINDOW_UPDATE, RST_STREAM, PRIORITY, PING, unknown frame types and sometimes a closing GOAWAY.
/// "Valid" means the client keeps every rule, including the server's windows and rate limits, as a client that never
/// reads the server's output can: all request bodies together fit the windows the server's preface grants.
/// </summary>
internal sealed class ConversationGenerator
{
    private const int ClientMaxFrame = Http2Constants.DefaultMaxFrameSize; // until the client has read the server's SETTINGS
    private const int PaddingBudget = 5_000;

    private readonly Random _random;
    private readonly Http2Limits _limits;
    private readonly HPackEncoder _encoder = new();
    private readonly List<ClientFrame> _frames = [];
    private readonly List<StreamPlan> _plans = [];
    private readonly bool _malformedRequests;
    private int _bodyLeft;
    private int _paddingLeft = PaddingBudget;
    private int _pingsLeft;
    private int _settingsLeft;
    private bool _serverSettingsAcknowledged;

    /// <param name="random">The iteration's randomness.</param>
    /// <param name="limits">The server's limits, which a valid client respects.</param>
    /// <param name="malformedRequests">Whether some requests (about one in six) break a rule of §8.2–8.3.</param>
    public ConversationGenerator(Random random, Http2Limits limits, bool malformedRequests = false)
    {
        _random = random;
        _limits = limits;
        _malformedRequests = malformedRequests;
        _bodyLeft = (int)Math.Min(limits.InitialConnectionWindowSize, 200_000) - PaddingBudget;
        _encoder.Huffman = (HuffmanPolicy)random.Next(3);
        _pingsLeft = Math.Min(3, limits.MaxPingsPerSecond);
        _settingsLeft = Math.Min(2, limits.MaxSettingsPerSecond);
    }

    /// <summary>The highest stream id the conversation opens.</summary>
    public int LastStreamId { get; private set; }

    public List<ClientFrame> Generate()
    {
        _frames.Add(ClientFrame.Preface());
        _frames.Add(ClientFrame.Of(FrameBuilder.Settings(ClientSettings(first: true))));
        bool acknowledge = _random.Next(10) != 0;
        PlanStreams();

        int started = 0;
        while (true)
        {
            if (acknowledge && !_serverSettingsAcknowledged && _random.Next(3) == 0)
            {
                AcknowledgeServerSettings();
            }

            if (_random.Next(6) == 0)
            {
                AddConnectionExtra();
            }

            List<StreamPlan> candidates = [.. _plans.Take(started).Where(p => !p.Done)];
            if (started < _plans.Count)
            {
                candidates.Add(_plans[started]); // streams open in increasing id order (§5.1.1)
            }

            if (candidates.Count == 0)
            {
                break;
            }

            StreamPlan plan = candidates[_random.Next(candidates.Count)];
            if (plan.Next == 0)
            {
                started++;
            }

            Emit(plan, plan.Steps[plan.Next++]);
        }

        if (acknowledge && !_serverSettingsAcknowledged)
        {
            AcknowledgeServerSettings();
        }

        if (_random.Next(5) == 0)
        {
            _frames.Add(ClientFrame.Of(FrameBuilder.GoAway(0, Http2ErrorCode.NoError, "bye")));
        }

        return _frames;
    }

    private void AcknowledgeServerSettings()
    {
        _serverSettingsAcknowledged = true;
        _frames.Add(ClientFrame.Of(FrameBuilder.SettingsAck()));

        // The server's decoder enforces its SETTINGS_HEADER_TABLE_SIZE once acknowledged (RFC 7541 §4.2).
        _encoder.SetPeerMaxTableSize(_limits.HeaderTableSize);
    }

    private (SettingsParameter, uint)[] ClientSettings(bool first)
    {
        var settings = new List<(SettingsParameter, uint)>();
        int count = _random.Next(first ? 0 : 1, 5);
        for (int i = 0; i < count; i++)
        {
            settings.Add(_random.Next(9) switch
            {
                0 => (SettingsParameter.HeaderTableSize, OneOf(0u, 256u, 4096u, 65_536u)),
                1 => (SettingsParameter.EnablePush, (uint)_random.Next(2)),
                2 => (SettingsParameter.MaxConcurrentStreams, OneOf(0u, 100u)),
                3 => (SettingsParameter.InitialWindowSize, OneOf(0u, 1u, 100u, 16_384u, 65_535u, 1u << 20)),
                4 => (SettingsParameter.MaxFrameSize, OneOf(16_384u, 20_000u, 1u << 20)),
                5 => (SettingsParameter.MaxHeaderListSize, (uint)_random.Next(0, 100_000)),
                6 => (SettingsParameter.NoRfc7540Priorities, (uint)_random.Next(2)),
                7 => (SettingsParameter.EnableConnectProtocol, (uint)_random.Next(2)),
                _ => ((SettingsParameter)_random.Next(0x10, 0x10000), (uint)_random.Next()),
            });
        }

        return [.. settings];
    }

    private void PlanStreams()
    {
        int streams = Math.Min(_random.Next(1, 9), _limits.MaxResetStreamsPerSecond); // refusals count as resets
        int id = 1;
        for (int i = 0; i < streams; i++)
        {
            _plans.Add(PlanStream(id));
            LastStreamId = id;
            id += _random.Next(4) == 0 ? 2 * _random.Next(2, 6) : 2;
        }
    }

    private StreamPlan PlanStream(int id)
    {
        var plan = new StreamPlan(id);
        int body = _random.Next(3) switch
        {
            0 => 0,
            1 => _random.Next(600),
            _ => _random.Next(4) == 0 ? _random.Next(20_000, 100_000) : _random.Next(20_000),
        };
        body = Math.Min(body, Math.Min(_bodyLeft, _limits.InitialStreamWindowSize - PaddingBudget));
        _bodyLeft -= body;
        bool trailers = _random.Next(5) == 0;
        bool leaveOpen = _random.Next(10) == 0;
        if (_random.Next(12) == 0 && _bodyLeft >= _limits.InitialStreamWindowSize - body)
        {
            // Exactly the stream's window, then silence: the client waits for WINDOW_UPDATE (§8.1's NO_ERROR reset
            // applies when the application abandoned the body).
            _bodyLeft -= _limits.InitialStreamWindowSize - body;
            body = _limits.InitialStreamWindowSize;
            (trailers, leaveOpen, plan.Unpadded) = (false, true, true);
        }

        bool reset = _random.Next(10) == 0;
        int dataFrames = body == 0 ? (_random.Next(4) == 0 ? 1 : 0) : _random.Next(1, 5);
        long? contentLength = _random.Next(2) == 0 && !leaveOpen ? body : null;
        bool endOnHeaders = dataFrames == 0 && !trailers && !leaveOpen;
        bool malformed = _malformedRequests && _random.Next(6) == 0;
        plan.Steps.Add(new Step(StepKind.Headers, EndStream: endOnHeaders, ContentLength: endOnHeaders ? null : contentLength, Malformed: malformed));

        int left = body;
        for (int i = 0; i < dataFrames; i++)
        {
            int length = i == dataFrames - 1 ? left : _random.Next(left + 1);
            left -= length;
            plan.Steps.Add(new Step(StepKind.Data, length, EndStream: i == dataFrames - 1 && !trailers && !leaveOpen));
            MaybeAddStreamExtra(plan);
        }

        if (trailers && !leaveOpen)
        {
            plan.Steps.Add(new Step(StepKind.Trailers, EndStream: true));
        }

        if (reset)
        {
            int at = _random.Next(1, plan.Steps.Count + 1);
            plan.Steps.Insert(at, new Step(StepKind.Reset));
            plan.Steps.RemoveRange(at + 1, plan.Steps.Count - at - 1); // nothing after our own RST_STREAM
        }

        return plan;
    }

    private void MaybeAddStreamExtra(StreamPlan plan)
    {
        switch (_random.Next(8))
        {
            case 0: plan.Steps.Add(new Step(StepKind.WindowUpdate, _random.Next(1, 100_000))); break;
            case 1: plan.Steps.Add(new Step(StepKind.Priority)); break;
        }
    }

    private void Emit(StreamPlan plan, Step step)
    {
        int id = plan.Id;
        switch (step.Kind)
        {
            case StepKind.Headers:
                int largeValue = _random.Next(8) == 0 ? _random.Next(LargestValue()) : 0;
                List<(string Name, string Value)> request = step.Malformed
                    ? RandomFields.MalformedRequest(_random, step.ContentLength + _random.Next(-1, 2))
                    : RandomFields.Request(_random, step.ContentLength, largeValue);
                AddHeaderBlock(id, EncodeBlock(request), step.EndStream);
                break;
            case StepKind.Trailers:
                List<(string Name, string Value)> trailers = RandomFields.Trailers(_random);
                if (trailers.Sum(t => 32 + t.Name.Length + t.Value.Length) > _limits.MaxHeaderListSize)
                {
                    AddData(id, 0, endStream: true); // SETTINGS_MAX_HEADER_LIST_SIZE leaves no room for trailers (§6.5.2)
                    break;
                }

                AddHeaderBlock(id, EncodeBlock(trailers), endStream: true);
                break;
            case StepKind.Data:
                AddData(id, step.Length, step.EndStream, padded: !plan.Unpadded);
                break;
            case StepKind.WindowUpdate:
                _frames.Add(ClientFrame.Of(FrameBuilder.WindowUpdate(id, step.Length)));
                break;
            case StepKind.Priority:
                _frames.Add(ClientFrame.Of(FrameBuilder.Priority(id, OtherStream(id), _random.Next(2) == 0, (byte)_random.Next(256))));
                break;
            case StepKind.Reset:
                _frames.Add(ClientFrame.Of(FrameBuilder.RstStream(id, _random.Next(2) == 0 ? Http2ErrorCode.Cancel : Http2ErrorCode.NoError)));
                plan.Next = plan.Steps.Count;
                break;
        }
    }

    /// <summary>Longest x-large value that keeps the block within what the server buffers and its CONTINUATION limit.</summary>
    private int LargestValue()
    {
        long blockLimit = Math.Min(2L * _limits.MaxHeaderListSize + _limits.MaxFrameSize, (long)(_limits.MaxContinuationFrames + 1) * (ClientMaxFrame - 30));
        return (int)Math.Clamp(blockLimit - 2_000, 1, 30_000);
    }

    private int OtherStream(int id)
    {
        int other = _random.Next(0, 20);
        return other == id ? id + 1 : other;
    }

    private void AddData(int id, int length, bool endStream, bool padded = true)
    {
        // Split into frames of at most the client's max frame size; padding counts against the window too (§6.9.1).
        int left = length;
        do
        {
            int pad = padded && _random.Next(4) == 0 && _paddingLeft > 1 ? _random.Next(0, Math.Min(256, _paddingLeft - 1)) : -1;
            _paddingLeft -= pad + 1;
            int room = ClientMaxFrame - (pad >= 0 ? pad + 1 : 0);
            int n = Math.Min(left, room);
            left -= n;
            bool last = left == 0;
            byte[] frame = pad >= 0
                ? FrameBuilder.Raw(FrameType.Data, (last && endStream ? FrameFlags.EndStream : FrameFlags.None) | FrameFlags.Padded, id,
                    [(byte)pad, .. FrameBuilder.Pattern(n), .. new byte[pad]])
                : FrameBuilder.Data(id, n, last && endStream);
            _frames.Add(ClientFrame.Of(frame));
        }
        while (left > 0);
    }

    private byte[] EncodeBlock(List<(string Name, string Value)> fields)
    {
        var block = new ArrayBufferWriter<byte>();
        _encoder.BeginHeaderBlock(block);
        foreach ((string name, string value) in fields)
        {
            HeaderIndexing indexing = _random.Next(6) switch { 0 => HeaderIndexing.WithoutIndexing, 1 => HeaderIndexing.NeverIndexed, _ => HeaderIndexing.Incremental };
            _encoder.EncodeHeader(block, name, value, indexing);
        }

        return block.WrittenSpan.ToArray();
    }

    /// <summary>HEADERS (maybe padded, maybe with priority fields) and CONTINUATIONs, split at random points.</summary>
    private void AddHeaderBlock(int id, byte[] block, bool endStream)
    {
        int pad = _random.Next(5) == 0 ? _random.Next(0, 32) : -1;
        int dependency = _malformedRequests && _random.Next(20) == 0 ? id : OtherStream(id); // §5.3.1: a stream error
        (int, bool, byte)? priority = _random.Next(5) == 0 ? (dependency, _random.Next(2) == 0, (byte)_random.Next(256)) : null;
        int firstRoom = ClientMaxFrame - (pad >= 0 ? pad + 1 : 0) - (priority is null ? 0 : 5);
        int minimumPieces = block.Length <= firstRoom ? 1 : 1 + (block.Length - firstRoom + ClientMaxFrame - 1) / ClientMaxFrame;
        int pieces = Math.Min(Math.Max(minimumPieces, _random.Next(1, 4)), Math.Max(minimumPieces, _limits.MaxContinuationFrames + 1));

        int offset = 0;
        for (int i = 0; i < pieces; i++)
        {
            int room = i == 0 ? firstRoom : ClientMaxFrame;
            int laterRoom = (pieces - 1 - i) * ClientMaxFrame;
            int left = block.Length - offset;
            int n = i == pieces - 1 ? left : _random.Next(Math.Max(0, left - laterRoom), Math.Min(room, left) + 1);
            byte[] fragment = block[offset..(offset + n)];
            offset += n;
            bool endHeaders = i == pieces - 1;
            if (i == 0)
            {
                FrameFlags flags = (endStream ? FrameFlags.EndStream : FrameFlags.None) | (endHeaders ? FrameFlags.EndHeaders : FrameFlags.None);
                byte[] frame = FrameBuilder.HeadersFrame(id, fragment, flags, pad, priority);
                int at = Http2Constants.FrameHeaderLength + (pad >= 0 ? 1 : 0) + (priority is null ? 0 : 5);
                _frames.Add(new ClientFrame(frame, FrameType.Headers, id, at, n));
            }
            else
            {
                _frames.Add(new ClientFrame(FrameBuilder.Continuation(id, fragment, endHeaders), FrameType.Continuation, id, Http2Constants.FrameHeaderLength, n));
            }
        }
    }

    private void AddConnectionExtra()
    {
        switch (_random.Next(5))
        {
            case 0 when _pingsLeft > 0:
                _pingsLeft--;
                _frames.Add(ClientFrame.Of(FrameBuilder.Ping((ulong)_random.NextInt64())));
                break;
            case 1 when _settingsLeft > 0:
                _settingsLeft--;
                _frames.Add(ClientFrame.Of(FrameBuilder.Settings(ClientSettings(first: false))));
                break;
            case 2:
                _frames.Add(ClientFrame.Of(FrameBuilder.WindowUpdate(0, _random.Next(1, 1 << 20))));
                break;
            case 3:
                int id = _random.Next(1, 40);
                _frames.Add(ClientFrame.Of(FrameBuilder.Priority(id, OtherStream(id), _random.Next(2) == 0, (byte)_random.Next(256))));
                break;
            default:
                // §4.1, §5.5: frames of unknown types are ignored, whatever their flags and stream.
                byte[] payload = new byte[_random.Next(33)];
                _random.NextBytes(payload);
                var type = (FrameType)_random.Next(0x0A, 0x100);
                _frames.Add(ClientFrame.Of(FrameBuilder.Raw(type, (FrameFlags)_random.Next(256), _random.Next(0, 50), payload)));
                break;
        }
    }

    private T OneOf<T>(params T[] choices) => choices[_random.Next(choices.Length)];

    private enum StepKind { Headers, Data, Trailers, WindowUpdate, Priority, Reset }

    private sealed record Step(StepKind Kind, int Length = 0, bool EndStream = false, long? ContentLength = null, bool Malformed = false);

    private sealed class StreamPlan(int id)
    {
        public int Id { get; } = id;

        public List<Step> Steps { get; } = [];

        public int Next { get; set; }

        public bool Done => Next >= Steps.Count;

        public bool Unpadded { get; set; }
    }
}
