using System.Buffers;
using Http2Lab.Http2.Frames;

namespace Http2Lab.Client.Probe;

/// <summary>Reads whole frames from a transport, for the probe (no session: it must see exactly what the server sent).</summary>
internal sealed class ProbeReader(Stream transport)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;

    /// <summary>The next frame, or null when the server closed the connection.</summary>
    public async Task<ProbeFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_length >= Http2Constants.FrameHeaderLength)
            {
                FrameHeader header = FrameHeader.Read(_buffer);
                int total = Http2Constants.FrameHeaderLength + header.PayloadLength;
                if (_length >= total)
                {
                    byte[] payload = _buffer.AsSpan(Http2Constants.FrameHeaderLength, header.PayloadLength).ToArray();
                    _buffer.AsSpan(total, _length - total).CopyTo(_buffer);
                    _length -= total;
                    return new ProbeFrame(header, payload);
                }

                if (_buffer.Length < total)
                {
                    Array.Resize(ref _buffer, total);
                }
            }

            int n = await transport.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            _length += n;
        }
    }

    /// <summary>Reads on for up to <paramref name="wait"/> and returns a GOAWAY with an error if one arrives.</summary>
    public async Task<Http2ProbeOutcome?> PeekGoAwayAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(wait);
        try
        {
            while (await ReadAsync(bounded.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.Header.Type == FrameType.GoAway && frame.Payload.Length >= 8)
                {
                    FrameReader.ReadGoAway(frame.Payload, out Http2ErrorCode code, out _);
                    if (code != Http2ErrorCode.NoError)
                    {
                        return new Http2ProbeOutcome(Http2ProbeOutcomeKind.GoAway, code);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }

        return null;
    }
}
