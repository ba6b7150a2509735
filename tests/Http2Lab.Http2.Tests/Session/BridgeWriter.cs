namespace Http2Lab.Http2.Tests.Session;

/// <summary>
/// Writes one response body the way the application bridge (<c>Http2StreamContext</c>) does: offers the rest with
/// <see cref="Http2Lab.Http2.Session.Http2Session.TryWriteData"/> and, when less was accepted, waits for
/// OnStreamWritable — armed only once the call has returned, so a wake raised during its own call finds nobody
/// waiting. Woken writers run later, outside any session callback, as the thread pool would run them.
/// </summary>
internal sealed class BridgeWriter
{
    private readonly SessionHarness _h;
    private readonly byte[] _body;
    private bool _armed;

    public BridgeWriter(SessionHarness h, int streamId, byte[] body)
    {
        _h = h;
        StreamId = streamId;
        _body = body;
    }

    public int StreamId { get; }

    /// <summary>Octets accepted so far.</summary>
    public int Offset { get; private set; }

    /// <summary>All of the body was accepted, or the stream is gone.</summary>
    public bool Done { get; private set; }

    /// <summary>OnStreamWritable arrived while the writer was waiting: it will write again.</summary>
    public bool Woken { get; private set; }

    /// <summary>Calls to <see cref="Write"/>, the first included.</summary>
    public int Writes { get; private set; }

    /// <summary>Routes the harness's OnStreamWritable to <paramref name="writers"/>.</summary>
    public static void Attach(SessionHarness h, params BridgeWriter[] writers)
    {
        Dictionary<int, BridgeWriter> byId = writers.ToDictionary(w => w.StreamId);
        h.Handler.OnWritableHook = id =>
        {
            if (byId.TryGetValue(id, out BridgeWriter? writer))
            {
                writer.OnWritable();
            }
        };
    }

    /// <summary>Runs every woken writer until none is; returns how many writes that took.</summary>
    public static int RunWoken(IReadOnlyCollection<BridgeWriter> writers)
    {
        int runs = 0;
        while (writers.FirstOrDefault(w => w.Woken) is { } writer)
        {
            writer.Write();
            Assert.True(++runs < 100_000, "writers keep waking each other");
        }

        return runs;
    }

    /// <summary>Offers the rest of the body (END_STREAM with the last octet) and waits if not all of it was taken.</summary>
    public void Write()
    {
        Woken = false;
        Writes++;
        bool alive = _h.Session.TryWriteData(StreamId, _body.AsSpan(Offset), endStream: true, out int accepted);
        Offset += accepted;
        Done = !alive || Offset == _body.Length;
        _armed = !Done;
    }

    private void OnWritable()
    {
        if (_armed)
        {
            _armed = false;
            Woken = true;
        }
    }
}
