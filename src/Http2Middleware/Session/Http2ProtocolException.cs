using Http2Lab.Http2.Frames;

namespace Http2Lab.Http2.Session;

/// <summary>
/// A protocol violation found while processing input: a connection error (<see cref="StreamId"/> 0,
/// answered with GOAWAY) or a stream error (answered with RST_STREAM). Never escapes the session.
/// </summary>
internal sealed class Http2ProtocolException : Exception
{
    private Http2ProtocolException(int streamId, Http2ErrorCode errorCode, string message)
        : base(message)
    {
        StreamId = streamId;
        ErrorCode = errorCode;
    }

    public int StreamId { get; }

    public Http2ErrorCode ErrorCode { get; }

    public bool IsConnectionError => StreamId == 0;

    public static Http2ProtocolException Connection(Http2ErrorCode code, string message) => new(0, code, message);

    public static Http2ProtocolException Stream(int streamId, Http2ErrorCode code, string message) => new(streamId, code, message);
}
