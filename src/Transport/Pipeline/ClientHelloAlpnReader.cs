using System.Buffers.Binary;
using System.Text;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// Reads the ALPN protocol list from the start of a TLS ClientHello (RFC 8446 §4.1.2, RFC 7301 §3.1),
/// only to explain in logs why a client was refused.
/// </summary>
internal static class ClientHelloAlpnReader
{
    private const byte HandshakeRecord = 22;
    private const byte ClientHelloMessage = 1;
    private const ushort AlpnExtension = 16;

    /// <summary>
    /// The protocols offered (empty when the client sent no ALPN extension), or null when
    /// <paramref name="data"/> does not start with a complete ClientHello.
    /// </summary>
    public static IReadOnlyList<string>? TryRead(ReadOnlySpan<byte> data)
    {
        // A ClientHello may be fragmented across several handshake records; join their payloads.
        var handshake = new List<byte>();
        while (data.Length >= 5 && data[0] == HandshakeRecord)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
            var available = Math.Min(length, data.Length - 5);
            handshake.AddRange(data.Slice(5, available));
            if (available < length)
            {
                break;
            }

            data = data[(5 + length)..];
        }

        ReadOnlySpan<byte> message = handshake.ToArray();
        if (message.Length < 4 || message[0] != ClientHelloMessage)
        {
            return null;
        }

        var bodyLength = (message[1] << 16) | (message[2] << 8) | message[3];
        if (message.Length < 4 + bodyLength)
        {
            return null;
        }

        var body = message.Slice(4, bodyLength);

        // legacy_version(2) random(32) session_id<0..32> cipher_suites<2..> compression_methods<1..>
        if (!Skip(ref body, 34) || !SkipVector(ref body, 1) || !SkipVector(ref body, 2) || !SkipVector(ref body, 1))
        {
            return null;
        }

        if (body.IsEmpty)
        {
            return [];
        }

        if (!TakeVector(ref body, 2, out var extensions))
        {
            return null;
        }

        while (extensions.Length >= 4)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(extensions);
            extensions = extensions[2..];
            if (!TakeVector(ref extensions, 2, out var extension))
            {
                return null;
            }

            if (type == AlpnExtension)
            {
                return ReadProtocolList(extension);
            }
        }

        return [];
    }

    private static List<string>? ReadProtocolList(ReadOnlySpan<byte> extension)
    {
        if (!TakeVector(ref extension, 2, out var list))
        {
            return null;
        }

        var protocols = new List<string>();
        while (!list.IsEmpty)
        {
            if (!TakeVector(ref list, 1, out var name))
            {
                return null;
            }

            protocols.Add(Encoding.ASCII.GetString(name));
        }

        return protocols;
    }

    private static bool Skip(ref ReadOnlySpan<byte> span, int count)
    {
        if (span.Length < count)
        {
            return false;
        }

        span = span[count..];
        return true;
    }

    private static bool SkipVector(ref ReadOnlySpan<byte> span, int lengthSize) => TakeVector(ref span, lengthSize, out _);

    private static bool TakeVector(ref ReadOnlySpan<byte> span, int lengthSize, out ReadOnlySpan<byte> vector)
    {
        vector = default;
        if (span.Length < lengthSize)
        {
            return false;
        }

        var length = lengthSize == 1 ? span[0] : BinaryPrimitives.ReadUInt16BigEndian(span);
        if (span.Length < lengthSize + length)
        {
            return false;
        }

        vector = span.Slice(lengthSize, length);
        span = span[(lengthSize + length)..];
        return true;
    }
}
