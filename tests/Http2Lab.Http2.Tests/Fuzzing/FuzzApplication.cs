using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>
/// A fake application that answers requests at random (seeded): response headers, body writes of random sizes,
/// trailers, resets, acknowledged request data, abandoned request bodies — sometimes from inside the session's
/// callbacks, sometimes between reads (<see cref="ActBetweenReads"/>). It uses the session's API correctly and records
/// as violations any callback the session should not have made (data after END_STREAM or after a reset, a request
/// twice, a reset the application asked for itself) and any exception a session method threw. Like a writer that
/// awaits the transport, it sends nothing between reads while the session's output is at MaxOutputBufferSize; inside
/// callbacks it does, and the session must stop reading (input pause) to bound that.
/// </summary>
internal sealed class FuzzApplication(Random random, Http2Limits limits, Action<string> log) : IHttp2SessionHandler
{
    /// <summary>The most response body octets offered in one <see cref="Http2Session.TryWriteData"/> call.</summary>
    public const int MaxWrite = 40_000;

    private static readonly Http2ErrorCode[] ResetCodes = [Http2ErrorCode.Cancel, Http2ErrorCode.InternalError, Http2ErrorCode.NoError];

    private readonly Dictionary<int, AppStream> _streams = [];
    private Http2Session? _session;
    private int _callbackDepth;

    /// <summary>The resets the application asked for (RST_STREAM the session sent on its behalf).</summary>
    public HashSet<(int StreamId, Http2ErrorCode Code)> OwnResets { get; } = [];

    public List<string> Violations { get; } = [];

    public Http2Session Session
    {
        get => _session ?? throw new InvalidOperationException("Attach the session first.");
        set => _session = value;
    }

    // ---- IHttp2SessionHandler ----

    public void OnRequest(int streamId, Http2RequestHead request, bool endStream)
    {
        Expect((streamId & 1) == 1 && !_streams.ContainsKey(streamId), $"OnRequest({streamId}) for an even or known stream");
        _streams[streamId] = new AppStream(streamId) { RequestEnded = endStream };
        MaybeActInside(streamId);
    }

    public void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        AppStream? stream = Delivering(streamId, "OnRequestData");
        if (stream is null)
        {
            return;
        }

        stream.Unacknowledged += data.Length;
        stream.RequestEnded = endStream;
        stream.Body.Add(data);
        if (random.Next(2) == 0)
        {
            Acknowledge(stream, data.Length, "inside OnRequestData");
        }

        MaybeActInside(streamId);
    }

    public void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers)
    {
        AppStream? stream = Delivering(streamId, "OnRequestTrailers");
        if (stream is not null)
        {
            stream.RequestEnded = true;
            MaybeActInside(streamId);
        }
    }

    public void OnStreamReset(int streamId, Http2ErrorCode errorCode)
    {
        if (_streams.TryGetValue(streamId, out AppStream? stream))
        {
            Expect(!stream.WasReset, $"OnStreamReset({streamId}, {errorCode}) for a stream already reset ({stream})");
            stream.ResetNotified = true;
        }

        MaybeActInside(AnyStream());
    }

    public void OnStreamWritable(int streamId)
    {
        Expect(_streams.TryGetValue(streamId, out AppStream? stream) && !stream.WasReset, $"OnStreamWritable({streamId}) for an unknown or reset stream");
        if (stream is null || stream.Writing)
        {
            return; // a writer hears only what comes after its call returned (as Http2StreamContext arms its wait then)
        }

        stream.AwaitingWritable = false;

        if (random.Next(2) == 0)
        {
            ActInside(streamId, "inside OnStreamWritable");
        }
    }

    public void OnGoAway(int lastStreamId, Http2ErrorCode errorCode) => MaybeActInside(AnyStream());

    /// <summary>
    /// Request bodies the application received whole (END_STREAM, never abandoned, never reset), for comparison with
    /// what the client sent: padding removed, nothing lost, duplicated or reordered.
    /// </summary>
    public IEnumerable<(int StreamId, BodyDigest Body)> CompleteBodies =>
        _streams.Values.Where(s => s.RequestEnded && !s.Abandoned && !s.WasReset).Select(s => (s.Id, s.Body));

    /// <summary>
    /// Streams whose last write was cut short and that heard no OnStreamWritable since, although nothing of theirs is
    /// buffered any more (their whole StreamOutputBufferSize is free): no DATA frame of theirs is left to raise it, so a
    /// writer like Http2StreamContext, which waits for that call, would wait forever. (With data still buffered the call
    /// comes once that data goes out; and the connection's buffer wakes its waiters only once half of it is free.)
    /// </summary>
    public IEnumerable<int> StreamsLeftWaiting()
    {
        if (Session.IsCompleted || Session.BufferedResponseOctets > limits.ConnectionResponseBufferSize / 2)
        {
            yield break;
        }

        foreach (AppStream stream in _streams.Values)
        {
            if (stream.AwaitingWritable && !stream.Gone && !stream.ResponseEnded && Session.GetWriteCapacity(stream.Id) == limits.StreamOutputBufferSize)
            {
                yield return stream.Id;
            }
        }
    }

    // ---- actions ----

    /// <summary>A few random actions on random streams, as application code finishing elsewhere would do between reads.</summary>
    public void ActBetweenReads()
    {
        int actions = random.Next(4);
        for (int i = 0; i < actions; i++)
        {
            Act(random.Next(8) == 0 ? 2 * random.Next(0, 20) + 1 : AnyStream(), "between reads");
        }
    }

    /// <summary>Finishes every stream still running: the response is completed, all request data acknowledged.</summary>
    public void FinishAll()
    {
        foreach (AppStream stream in _streams.Values.Where(s => !s.Gone).ToList())
        {
            for (int i = 0; i < 4 && !stream.Gone && !stream.ResponseEnded; i++)
            {
                Respond(stream, "finishing", finish: true);
            }

            Acknowledge(stream, stream.Unacknowledged, "finishing");
            Call($"AbandonRequestBody({stream.Id}) finishing", () => Session.AbandonRequestBody(stream.Id));
            stream.Abandoned = true;
        }
    }

    private void MaybeActInside(int streamId)
    {
        if (random.Next(3) == 0)
        {
            ActInside(streamId, "inside a callback");
        }
    }

    private void ActInside(int streamId, string where)
    {
        _callbackDepth++;
        try
        {
            Act(streamId, where);
        }
        finally
        {
            _callbackDepth--;
        }
    }

    private void Act(int streamId, string where)
    {
        if (!_streams.TryGetValue(streamId, out AppStream? stream))
        {
            // Calls for streams the application never saw (or long gone) must be harmless.
            Call($"AcknowledgeData({streamId}) {where}", () => Session.AcknowledgeData(streamId, random.Next(1, 100)));
            Call($"ResetStream({streamId}) {where}", () => Session.ResetStream(streamId, Http2ErrorCode.Cancel));
            return;
        }

        switch (random.Next(10))
        {
            case < 5: Respond(stream, where, finish: false); break;
            case 5: Acknowledge(stream, random.Next(stream.Unacknowledged + 1), where); break;
            case 6:
                Call($"AbandonRequestBody({stream.Id}) {where}", () => Session.AbandonRequestBody(stream.Id));
                stream.Abandoned = true;
                break;
            case 7 when random.Next(3) == 0:
                Http2ErrorCode code = ResetCodes[random.Next(ResetCodes.Length)];
                // While the connection closes (e.g. from inside its OnStreamReset calls) the call does nothing and the
                // application still hears of every stream's end.
                bool closing = Session.IsCompleted;
                Call($"ResetStream({stream.Id}, {code}) {where}", () => Session.ResetStream(stream.Id, code));
                stream.ResetByApp |= !closing;
                if (!closing)
                {
                    OwnResets.Add((stream.Id, code));
                }

                break;
            default:
                Call($"GetWriteCapacity({stream.Id}) {where}", () => Session.GetWriteCapacity(stream.Id));
                break;
        }
    }

    /// <summary>The next step of the response: headers, then body pieces, then END_STREAM or trailers.</summary>
    private void Respond(AppStream stream, string where, bool finish)
    {
        if (stream.Gone || stream.ResponseEnded || stream.Writing)
        {
            return; // one writer per stream, as in Http2StreamContext: no second write from a callback inside the first
        }

        if (_callbackDepth == 0 && Session.PendingOutput.Length >= limits.MaxOutputBufferSize)
        {
            return; // like a writer that awaits the transport's flush: nothing more while the output is full
        }

        int id = stream.Id;
        if (!stream.HeadersSent)
        {
            int status = random.Next(6) switch { 0 => 204, 1 => 404, 2 => 500, 3 => 302, _ => 200 };
            bool end = status == 204 || random.Next(4) == 0;
            List<KeyValuePair<string, string>> fields = RandomFields.Response(random);
            stream.BodyLeft = end ? 0 : random.Next(4) switch { 0 => 0, 1 => random.Next(100), 2 => random.Next(20_000), _ => random.Next(150_000) };
            bool sent = Call($"SendHeaders({id}, {status}, {fields.Count} fields, end={end}) {where}", () => Session.SendHeaders(id, status, fields, end));
            stream.HeadersSent = sent;
            stream.ResponseEnded = end;
            stream.Unsendable |= !sent;
            return;
        }

        if (stream.BodyLeft == 0 || (!finish && random.Next(8) == 0))
        {
            bool trailers = random.Next(3) == 0;
            List<KeyValuePair<string, string>> fields = [new("x-trailer", "done")];
            bool ended = trailers
                ? Call($"SendTrailers({id}) {where}", () => Session.SendTrailers(id, fields))
                : Call($"TryWriteData({id}, 0, end) {where}", () => Session.TryWriteData(id, [], true, out _));
            stream.ResponseEnded = true;
            stream.Unsendable |= !ended;
            return;
        }

        int length = Math.Min(stream.BodyLeft, finish ? MaxWrite : random.Next(1, MaxWrite));
        bool endStream = length == stream.BodyLeft && random.Next(3) != 0;
        byte[] body = new byte[length];
        int accepted = 0;
        stream.BodyLeft -= length; // reserved first: the session may call back before the call returns
        stream.Writing = true;
        bool written;
        try
        {
            written = Call($"TryWriteData({id}, {length}, end={endStream}) {where}", () => Session.TryWriteData(id, body, endStream, out accepted));
        }
        finally
        {
            stream.Writing = false;
        }

        Expect(accepted >= 0 && accepted <= length, $"TryWriteData accepted {accepted} of {length}");
        stream.BodyLeft += length - accepted;
        stream.ResponseEnded |= written && endStream && accepted == length;
        stream.Unsendable |= !written;
        stream.AwaitingWritable = written && accepted < length; // an OnStreamWritable must follow this call
    }

    private void Acknowledge(AppStream stream, int octets, string where)
    {
        Call($"AcknowledgeData({stream.Id}, {octets}) {where}", () => Session.AcknowledgeData(stream.Id, octets));
        stream.Unacknowledged -= octets;
    }

    private AppStream? Delivering(int streamId, string callback)
    {
        if (!_streams.TryGetValue(streamId, out AppStream? stream))
        {
            Expect(false, $"{callback}({streamId}) for a stream the application never saw");
            return null;
        }

        Expect(!stream.WasReset && !stream.RequestEnded && !stream.Abandoned, $"{callback}({streamId}) after the request ended or was abandoned, or the stream was reset ({stream})");
        return stream;
    }

    private int AnyStream() => _streams.Count == 0 ? 1 : _streams.Keys.ElementAt(random.Next(_streams.Count));

    private void Call(string what, Action action) => Call(what, () => { action(); return true; });

    private bool Call(string what, Func<bool> action)
    {
        log($"{what} (output {Session.PendingOutput.Length})");
        try
        {
            return action();
        }
        catch (Exception ex)
        {
            Violations.Add($"{what} threw {ex}");
            return false;
        }
    }

    private void Expect(bool condition, string violation)
    {
        if (!condition)
        {
            Violations.Add(violation);
        }
    }

    private sealed class AppStream(int id)
    {
        public int Id { get; } = id;

        public bool HeadersSent { get; set; }

        public bool ResponseEnded { get; set; }

        public bool RequestEnded { get; set; }

        public bool Abandoned { get; set; }

        /// <summary>The application reset the stream itself (it is not told of its own reset).</summary>
        public bool ResetByApp { get; set; }

        /// <summary>The session told the application the stream was reset.</summary>
        public bool ResetNotified { get; set; }

        /// <summary>A send call returned false: the stream (or the connection) is gone, a normal race.</summary>
        public bool Unsendable { get; set; }

        public bool WasReset => ResetByApp || ResetNotified;

        public bool Gone => WasReset || Unsendable;

        public int BodyLeft { get; set; }

        public int Unacknowledged { get; set; }

        /// <summary>A write was cut short and no OnStreamWritable came since.</summary>
        public bool AwaitingWritable { get; set; }

        /// <summary>A TryWriteData call on this stream is in progress.</summary>
        public bool Writing { get; set; }

        /// <summary>The request body as delivered.</summary>
        public BodyDigest Body = new();

        public override string ToString() =>
            $"stream {Id}: headers={HeadersSent} responseEnded={ResponseEnded} requestEnded={RequestEnded} abandoned={Abandoned} resetByApp={ResetByApp} resetNotified={ResetNotified} unsendable={Unsendable}";
    }
}
