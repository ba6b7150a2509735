using System.Buffers;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

// What the server makes of what arrives besides field blocks: the client's preface (or an HTTP/1.x request), request body DATA.
internal sealed partial class Http2Session
{
    private bool _prefaceReceived;

    /// <summary>§3.4: the client's preface octets come before its first frame; once they have arrived, nothing precedes frames.</summary>
    protected override int ReadPreface(in ReadOnlySequence<byte> input)
    {
        if (_prefaceReceived)
        {
            return 0;
        }

        return TryReadPreface(input) ? Http2Constants.ClientPreface.Length : -1;
    }

    private bool TryReadPreface(in ReadOnlySequence<byte> input)
    {
        ReadOnlySpan<byte> preface = Http2Constants.ClientPreface;
        Span<byte> received = stackalloc byte[preface.Length];
        int available = (int)Math.Min(input.Length, preface.Length);
        input.Slice(0, available).CopyTo(received);

        if (!received[..available].SequenceEqual(preface[..available]))
        {
            // An HTTP/1.1 client on an h2c port gets a response it can read; anything else is a protocol error as
            // soon as the octets diverge.
            switch (Http1RequestLine.Classify(input, out string line))
            {
                case Http1RequestLine.Kind.Incomplete:
                    return false;
                case Http1RequestLine.Kind.Request:
                    RefuseHttp1(line);
                    return false;
                default:
                    ConnectionError(FrameError.Connection(Http2ErrorCode.ProtocolError, "invalid connection preface (§3.4)"));
                    return false;
            }
        }

        if (available < preface.Length)
        {
            return false;
        }

        _prefaceReceived = true;
        Start();
        return true;
    }

    private static readonly byte[] Http1VersionNotSupported = BuildHttp1Refusal();

    private static byte[] BuildHttp1Refusal()
    {
        const string body = "This endpoint speaks HTTP/2 only, with prior knowledge (RFC 9113 3.3): use e.g. curl --http2-prior-knowledge or nghttp.\n";
        return System.Text.Encoding.ASCII.GetBytes(
            "HTTP/1.1 505 HTTP Version Not Supported\r\ncontent-type: text/plain; charset=utf-8\r\n" +
            $"content-length: {body.Length}\r\nconnection: close\r\n\r\n{body}");
    }

    /// <summary>
    /// Answers an HTTP/1.x request with <c>505 HTTP Version Not Supported</c> in HTTP/1.1 and a line of text, then
    /// ends the connection: no SETTINGS, no GOAWAY, which an HTTP/1.1 client would show as binary noise.
    /// </summary>
    private void RefuseHttp1(string requestLine)
    {
        SessionLog.Http1Refused(Logger, requestLine);
        IsClosed = true;
        Output.Write(Http1VersionNotSupported);
    }

    /// <summary>Request body DATA: bounded by MaxRequestBodySize, discarded once the application abandoned it (§8.1).</summary>
    protected override void OnStreamData(Http2ServerStream stream, ReadOnlySpan<byte> data, int paddingLength, bool endStream)
    {
        if (Limits.MaxRequestBodySize is long max && stream.ReceivedLength > max)
        {
            // §8.1: after a complete response (our own 413 included) only NO_ERROR, so the client keeps the response.
            bool responded = stream.State == StreamState.HalfClosedLocal;
            ResetByUs(stream, responded ? Http2ErrorCode.NoError : Http2ErrorCode.Cancel, $"request body larger than MaxRequestBodySize {max}");
            return;
        }

        if (stream.BodyAbandoned)
        {
            // Nobody reads it: the connection gets its credit back, the stream does not (§8.1).
            ReturnConnectionCredit(stream.Inbound.Discard());
        }
        else if (paddingLength > 0)
        {
            // Padding is never seen by the application: its credit goes back at once.
            ReleaseCredit(stream, paddingLength);
        }

        // §5.1: half-closed (remote) before the application hears of it, as it may respond from inside the call.
        int id = stream.Id;
        bool deliver = !stream.BodyAbandoned;
        if (endStream)
        {
            ApplyRemoteEnd(stream);
        }
        else
        {
            ResetIfBodyUnwanted(stream);
        }

        if (deliver)
        {
            _handler.OnRequestData(id, data, endStream);
        }
    }
}
