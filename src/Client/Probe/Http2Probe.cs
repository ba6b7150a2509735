using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Http2Lab.Client.Connection;
using Http2Lab.Http2.Frames;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Client.Probe;

/// <summary>
/// A small conformance probe usable against any HTTP/2 server: each case opens a connection (h2c with prior knowledge
/// or TLS with ALPN h2), completes the SETTINGS exchange, sends the case's frames and a PING, and records the
/// server's first telling reaction — GOAWAY, RST_STREAM, a response, or only the PING's ACK (ignored).
/// </summary>
public static class Http2Probe
{
    private const ulong SentinelPing = 0x70726f6265_000001; // "probe"

    /// <summary>Every case, in report order.</summary>
    public static IReadOnlyList<Http2ProbeCase> Cases => ProbeCases.All;

    /// <summary>Runs every case against <paramref name="url"/> (http or https) and returns the report.</summary>
    public static async Task<Http2ProbeReport> RunAsync(Uri url, Http2ProbeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        options ??= new Http2ProbeOptions();
        var results = new List<Http2ProbeResult>(Cases.Count);
        foreach (Http2ProbeCase probeCase in Cases)
        {
            results.Add(new Http2ProbeResult(probeCase, await RunCaseAsync(url, probeCase, options, cancellationToken).ConfigureAwait(false)));
        }

        return new Http2ProbeReport(url, results);
    }

    private static async Task<Http2ProbeOutcome> RunCaseAsync(Uri url, Http2ProbeCase probeCase, Http2ProbeOptions options, CancellationToken cancellationToken)
    {
        var connect = new Http2ClientOptions { ValidateCertificate = options.ValidateCertificate, ConnectTimeout = options.CaseTimeout };
        Socket socket;
        Stream transport;
        try
        {
            (socket, transport) = await ClientConnector.OpenTransportAsync(url, connect, cancellationToken).ConfigureAwait(false);
        }
        catch (Http2ClientException ex)
        {
            return new Http2ProbeOutcome(Http2ProbeOutcomeKind.Error) { Detail = ex.Message };
        }

        using (socket)
        await using (transport.ConfigureAwait(false))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.CaseTimeout);
            var reader = new ProbeReader(transport);
            try
            {
                // The handshake: preface and our SETTINGS; the server's SETTINGS, acknowledged (§3.4).
                var hello = new ProbeFrames(url.Scheme, url.Authority);
                hello.Settings((SettingsParameter.EnablePush, 0));
                await transport.WriteAsync(Http2Constants.ClientPreface.ToArray(), timeout.Token).ConfigureAwait(false);
                await transport.WriteAsync(hello.ToArray(), timeout.Token).ConfigureAwait(false);
                if (await reader.ReadAsync(timeout.Token).ConfigureAwait(false) is not { Header.Type: FrameType.Settings })
                {
                    return new Http2ProbeOutcome(Http2ProbeOutcomeKind.Error) { Detail = "the server's first frame was not SETTINGS" };
                }

                var frames = new ProbeFrames(url.Scheme, url.Authority);
                frames.Raw(FrameType.Settings, FrameFlags.Ack, 0, []);
                probeCase.Build(frames);
                byte[] ping = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(ping, SentinelPing);
                frames.Raw(FrameType.Ping, FrameFlags.None, 0, ping);
                await transport.WriteAsync(frames.ToArray(), timeout.Token).ConfigureAwait(false);
                await transport.FlushAsync(timeout.Token).ConfigureAwait(false);
                return await ObserveAsync(reader, probeCase, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new Http2ProbeOutcome(Http2ProbeOutcomeKind.Timeout);
            }
            catch (IOException)
            {
                return new Http2ProbeOutcome(Http2ProbeOutcomeKind.Closed);
            }
        }
    }

    /// <summary>
    /// Reads until the reaction is known: GOAWAY or the connection's end; an RST_STREAM; a response when the case
    /// expects one; otherwise the sentinel PING's ACK. The strongest signal seen wins: GOAWAY, RST_STREAM, response.
    /// </summary>
    private static async Task<Http2ProbeOutcome> ObserveAsync(ProbeReader reader, Http2ProbeCase probeCase, CancellationToken cancellationToken)
    {
        var decoder = new HPackDecoder(Http2Constants.DefaultHeaderTableSize, 1 << 20);
        var status = new StatusSink();
        Http2ProbeOutcome? rst = null, response = null;
        bool acked = false;
        try
        {
            while (true)
            {
                ProbeFrame? frame = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (frame is null)
                {
                    return rst ?? response ?? new Http2ProbeOutcome(Http2ProbeOutcomeKind.Closed);
                }

                FrameHeader header = frame.Header;
                switch (header.Type)
                {
                    case FrameType.GoAway when frame.Payload.Length >= 8:
                        int last = FrameReader.ReadGoAway(frame.Payload, out Http2ErrorCode code, out ReadOnlySpan<byte> debug);
                        if (code == Http2ErrorCode.NoError && (rst is not null || response is not null))
                        {
                            break; // a graceful close after the reaction
                        }

                        return new Http2ProbeOutcome(Http2ProbeOutcomeKind.GoAway, code)
                        {
                            Detail = $"last stream {last}" + (debug.IsEmpty ? "" : ": " + System.Text.Encoding.ASCII.GetString(debug[..Math.Min(debug.Length, 100)])),
                        };
                    case FrameType.RstStream when frame.Payload.Length == 4:
                        rst ??= new Http2ProbeOutcome(Http2ProbeOutcomeKind.RstStream, FrameReader.ReadRstStream(frame.Payload)) { Detail = $"stream {header.StreamId}" };
                        break;
                    case FrameType.Headers:
                        if (FrameReader.TryRemovePadding(header, frame.Payload, out ReadOnlySpan<byte> block, out _))
                        {
                            if (header.HasFlag(FrameFlags.Priority))
                            {
                                block = block[5..];
                            }

                            status.Status = null;
                            decoder.Decode(block, status);
                            if (status.Status is { } s)
                            {
                                response ??= new Http2ProbeOutcome(Http2ProbeOutcomeKind.Response, Status: s) { Detail = $"stream {header.StreamId}" };
                            }
                        }

                        break;
                    case FrameType.Ping when header.HasFlag(FrameFlags.Ack) && frame.Payload.Length == 8 && FrameReader.ReadPing(frame.Payload) == SentinelPing:
                        acked = true;
                        break;
                }

                if (rst is not null || (response is not null && probeCase.ExpectsResponse) || (acked && !probeCase.ExpectsResponse))
                {
                    // Give a GOAWAY that follows at once a moment to arrive: it is the stronger signal.
                    if (!probeCase.ExpectsResponse && await reader.PeekGoAwayAsync(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false) is { } goAway)
                    {
                        return goAway;
                    }

                    return rst ?? response ?? new Http2ProbeOutcome(Http2ProbeOutcomeKind.Ignored);
                }
            }
        }
        catch (HPackDecodingException ex)
        {
            return new Http2ProbeOutcome(Http2ProbeOutcomeKind.Error) { Detail = "the server's header block does not decode: " + ex.Message };
        }
    }

    /// <summary>Keeps the <c>:status</c> of a decoded response header block.</summary>
    private sealed class StatusSink : IHeaderFieldSink
    {
        public int? Status { get; set; }

        public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed)
        {
            if (name.SequenceEqual(":status"u8) && int.TryParse(value, out int status))
            {
                Status = status;
            }
        }
    }
}
