namespace Http2Lab.Http2.Session;

/// <summary>A stream the client opened on <see cref="Http2Session"/>: the shared per-stream state plus the server's own.</summary>
internal sealed class Http2ServerStream : Http2Stream
{
    public Http2ServerStream(int id, InboundWindow inbound, OutboundWindow outbound)
        : base(id, inbound, outbound)
    {
    }

    public override void Reuse(int id, int inboundWindow, int outboundWindow)
    {
        base.Reuse(id, inboundWindow, outboundWindow);
        WaitingForBuffer = false;
        BodyAbandoned = false;
    }

    /// <summary>A write was cut short by the connection's response buffer: wake the writer when it frees.</summary>
    public bool WaitingForBuffer { get; set; }

    /// <summary>The application will not read the rest of the request body: what still arrives is discarded.</summary>
    public bool BodyAbandoned { get; set; }
}
