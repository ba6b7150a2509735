using System.Net;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// A request body streamed in 64 KiB pieces that lets HttpClient hand back the response while the body is still
/// being sent. HttpClient's built-in contents (ByteArrayContent, StreamContent) are not "duplex": over HTTP/2 it
/// returns no response and consumes no response DATA until the whole request body is sent, so an echo larger than
/// the windows and buffers in between cannot complete with them, against any flow-controlled server.
/// </summary>
public sealed class DuplexBytesContent(byte[] data) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (int offset = 0; offset < data.Length; offset += 64 * 1024)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = data.Length;
        return true;
    }
}
