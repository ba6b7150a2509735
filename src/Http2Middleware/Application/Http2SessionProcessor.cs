using System.Buffers;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.Session;
using Http2Lab.Transport.Processing;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Http2.Application;

/// <summary>
/// An <see cref="Http2Session"/> as a connection processor: input, output, heartbeat and closing pass straight to
/// the session; what answers the requests (<see cref="IHttp2SessionHandler"/>) is the subclass's. Every call into the
/// session is made inside the connection's <see cref="ConnectionGate"/>, which the session asserts in debug builds.
/// </summary>
internal abstract class Http2SessionProcessor : IConnectionProcessor, IHttp2SessionHandler
{
    protected Http2SessionProcessor(ProcessorContext context, Http2Limits limits, Http2Metrics metrics, ILogger logger)
    {
        Context = context;
        Gate = context.Gate;
        ConnectionId = context.ConnectionId;
        Metrics = metrics;
        Logger = logger;
        Session = new Http2Session(limits, this, logger);
        SetOwnerCheck(Session, context.Gate);
    }

    // Debug builds only: the check is a closure per connection, and only debug builds assert with it.
    [System.Diagnostics.Conditional("DEBUG")]
    private static void SetOwnerCheck(Http2Session session, ConnectionGate gate) => session.OwnerCheck = () => gate.IsEntered;

    /// <summary>What the dispatcher said about the connection: addresses, id, features (TLS).</summary>
    public ProcessorContext Context { get; }

    /// <summary>The gate every call into <see cref="Session"/> goes through.</summary>
    public ConnectionGate Gate { get; }

    /// <summary>The session; only touch it inside <see cref="Gate"/>.</summary>
    public Http2Session Session { get; }

    protected string ConnectionId { get; }

    protected Http2Metrics Metrics { get; }

    protected ILogger Logger { get; }

    /// <summary>Requests being answered, for the log line of a graceful close.</summary>
    protected abstract int RequestsInFlight { get; }

    // ---- IConnectionProcessor: called inside the gate ----

    public long Receive(in ReadOnlySequence<byte> input)
    {
        long consumed = Session.Receive(input);
        OnReceived();
        return consumed;
    }

    /// <summary>After each <see cref="Receive"/>: start what the session's callbacks collected (never from inside them).</summary>
    protected abstract void OnReceived();

    // As Kestrel: an HTTP/2 client that closes its side is gone (a handler waiting for its window would wait forever).
    public void OnInputCompleted() => Session.OnTransportClosed();

    public bool HasOutput => Session.HasPendingOutput;

    public ReadOnlyMemory<byte> PendingOutput => Session.PendingOutput;

    public void AdvanceOutput(int count) => Session.AdvanceOutput(count);

    public void DrainOutputTo(IBufferWriter<byte> destination) => Session.DrainOutputTo(destination);

    public bool IsInputPaused => Session.IsInputPaused;

    public bool IsCompleted => Session.IsCompleted;

    public bool RequiresAbort => Session.RequiresAbort;

    public abstract bool IsIdle { get; }

    public virtual void OnHeartbeat() => Session.OnHeartbeat();

    public void RequestClose()
    {
        Http2ConnectionLog.ClosingGracefully(Logger, ConnectionId, RequestsInFlight);
        Session.BeginGracefulShutdown();
    }

    public void Abort(string reason) => Session.Abort(Http2ErrorCode.NoError, reason);

    public virtual void OnTransportClosed()
    {
        if (Session.ConnectionErrorCode is { } code and not Http2ErrorCode.NoError)
        {
            Metrics.ConnectionError(code);
        }

        Session.OnTransportClosed();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await EnterAsync().ConfigureAwait(false);
        try
        {
            Session.Dispose();
        }
        finally
        {
            Gate.Exit();
        }
    }

    /// <summary>Enters the gate, first moving to a thread that may (work that left the poll loop comes back to it).</summary>
    public GateEntry EnterAsync() => new(Gate);

    // ---- IHttp2SessionHandler: called inside the gate ----

    public abstract void OnRequest(int streamId, Http2RequestHead request, bool endStream);

    public abstract void OnRequestData(int streamId, ReadOnlySpan<byte> data, bool endStream);

    public abstract void OnRequestTrailers(int streamId, IReadOnlyList<KeyValuePair<string, string>> trailers);

    public abstract void OnStreamReset(int streamId, Http2ErrorCode errorCode);

    public abstract void OnStreamWritable(int streamId);

    public virtual void OnGoAway(int lastStreamId, Http2ErrorCode errorCode)
    {
    }
}
