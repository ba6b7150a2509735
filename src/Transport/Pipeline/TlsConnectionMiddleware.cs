using System.IO.Pipelines;
using System.Net.Security;
using Http2Lab.Transport.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Http2Lab.Transport.Pipeline;

/// <summary>
/// Connection middleware for https endpoints on pipe-based dispatchers: runs the TLS handshake
/// (<see cref="TlsServerSettings"/>: TLS 1.2+, the protocol's ALPN ids, no client certificate) over the
/// connection's transport, then replaces <see cref="ConnectionContext.Transport"/> with the decrypted duplex pipe
/// for the rest of the pipeline. Clients that fail the handshake, time out or negotiate no protocol of ours are
/// logged and closed; they never reach the protocol.
/// </summary>
internal sealed class TlsConnectionMiddleware
{
    private static readonly TimeSpan CloseNotifyTimeout = TimeSpan.FromSeconds(1);

    private readonly ConnectionDelegate _next;
    private readonly TlsServerSettings _settings;

    /// <summary>Creates the middleware.</summary>
    /// <param name="next">The rest of the pipeline, which sees the decrypted transport.</param>
    /// <param name="settings">The endpoint's TLS settings.</param>
    public TlsConnectionMiddleware(ConnectionDelegate next, TlsServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(settings);
        _next = next;
        _settings = settings;
    }

    /// <summary>Runs the handshake, then the rest of the pipeline over the decrypted transport.</summary>
    /// <param name="context">The connection.</param>
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var original = context.Transport;
        var remote = Sockets.EndPointText.Describe(context.RemoteEndPoint);
        var rawStream = new DuplexPipeStream(original.Input, original.Output);
        var ssl = new SslStream(rawStream, leaveInnerStreamOpen: false);
        try
        {
            if (!await AuthenticateAsync(context, ssl, rawStream, remote).ConfigureAwait(false))
            {
                return;
            }

            new TlsHandshakeFeature(ssl).AddTo(context.Features);

            var input = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
            var output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
            context.Transport = new DuplexPipe(input, output);
            try
            {
                await _next(context).ConfigureAwait(false);
            }
            finally
            {
                context.Transport = original;
                await input.CompleteAsync().ConfigureAwait(false);
                await CompleteOutputAsync(output, ssl).ConfigureAwait(false);
            }
        }
        finally
        {
            // Also disposes rawStream, which completes the socket's pipes.
            await ssl.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> AuthenticateAsync(ConnectionContext context, SslStream ssl, DuplexPipeStream raw, string remote)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
        timeout.CancelAfter(_settings.HandshakeTimeout);
        raw.StartCapture(TlsServerSettings.ClientHelloCaptureLimit);
        try
        {
            await ssl.AuthenticateAsServerAsync(_settings.CreateOptions(), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.ConnectionClosed.IsCancellationRequested)
        {
            raw.StopCapture();
            _settings.TimedOut(remote);
            return false;
        }
        catch (Exception ex) when (TlsServerSettings.IsHandshakeFailure(ex))
        {
            _settings.Failed(ex, raw.StopCapture().Span, remote);
            return false;
        }

        return _settings.Accept(ssl, raw.StopCapture().Span, remote);
    }

    private static async Task CompleteOutputAsync(PipeWriter output, SslStream ssl)
    {
        try
        {
            // Flushes what the protocol left buffered, then sends close_notify so the client sees a clean end.
            await output.CompleteAsync().ConfigureAwait(false);
            await ssl.ShutdownAsync().WaitAsync(CloseNotifyTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or ObjectDisposedException
                                       or ConnectionResetException or ConnectionAbortedException
                                       or OperationCanceledException or InvalidOperationException)
        {
            // The peer is gone or not reading; the socket is closed next anyway.
        }
    }
}
