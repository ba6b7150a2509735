namespace Http2Lab.Http2.Session.Client;

/// <summary>
/// A stream the client opened: the shared per-stream state (windows, pending output, §5.1 state) plus what only a
/// request needs until it goes out and what its response has shown so far.
/// </summary>
internal sealed class Http2ClientStream : Http2Stream
{
    public Http2ClientStream(int id, InboundWindow inbound, OutboundWindow outbound)
        : base(id, inbound, outbound)
    {
    }

    public override void Reuse(int id, int inboundWindow, int outboundWindow)
    {
        base.Reuse(id, inboundWindow, outboundWindow);
        Request = null;
        IsHead = false;
        EndStreamWithHeaders = false;
        ResponseStarted = false;
    }

    /// <summary>The request head, kept until its HEADERS are encoded (HPACK order is wire order, RFC 7541 §2.2).</summary>
    public Http2ClientRequestHead? Request { get; set; }

    /// <summary>HEAD: the response's content-length describes a body that never comes (RFC 9110 §9.3.2).</summary>
    public bool IsHead { get; set; }

    /// <summary>The request's HEADERS carry END_STREAM (no body).</summary>
    public bool EndStreamWithHeaders { get; set; }

    /// <summary>The final (non-1xx) response header section arrived; a further HEADERS is trailers.</summary>
    public bool ResponseStarted { get; set; }
}
