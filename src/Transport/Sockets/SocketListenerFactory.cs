using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Http2Lab.Transport.Sockets;

/// <summary>
/// The default <see cref="IConnectionListenerFactory"/>: our own accept loop (with <see cref="AcceptBackoff"/>, so a
/// process at its file-descriptor limit neither spins nor stops accepting) over Kestrel's socket connections
/// (<see cref="SocketConnectionContextFactory"/>: pipes, pooled memory, I/O queues), configured by
/// <see cref="SocketTransportOptions"/>.
/// </summary>
internal sealed class SocketListenerFactory : IConnectionListenerFactory
{
    private readonly SocketTransportOptions _options;
    private readonly ILoggerFactory _loggers;

    /// <summary>Creates the factory.</summary>
    public SocketListenerFactory(IOptions<SocketTransportOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        _loggers = loggers;
    }

    /// <inheritdoc />
    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not (IPEndPoint or UnixDomainSocketEndPoint))
        {
            throw new NotSupportedException($"{endpoint} is neither an IP endpoint nor a Unix domain socket.");
        }

        Socket socket = ListenSocket.Bind(endpoint);
        var connections = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions
        {
            IOQueueCount = _options.IOQueueCount,
            WaitForDataBeforeAllocatingBuffer = _options.WaitForDataBeforeAllocatingBuffer,
            MaxReadBufferSize = _options.MaxReadBufferSize,
            MaxWriteBufferSize = _options.MaxWriteBufferSize,
            UnsafePreferInlineScheduling = _options.UnsafePreferInlineScheduling,
        }, _loggers.CreateLogger<SocketConnectionContextFactory>());
        return new ValueTask<IConnectionListener>(new SocketListener(socket, connections, _options.NoDelay,
            new AcceptBackoff(_loggers.CreateLogger<SocketListenerFactory>(), socket.LocalEndPoint?.ToString() ?? "?")));
    }

    private sealed class SocketListener(Socket socket, SocketConnectionContextFactory connections, bool noDelay, AcceptBackoff backoff)
        : IConnectionListener
    {
        private volatile bool _unbound;

        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (!backoff.MayAccept(out TimeSpan hold))
                {
                    await Task.Delay(hold, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return null;
                }
                catch (SocketException ex) when (_unbound || ex.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException ex) when (AcceptBackoff.IsRetryable(ex.SocketErrorCode))
                {
                    TimeSpan wait = backoff.OnFailure(ex.SocketErrorCode);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                backoff.OnSuccess();
                ListenSocket.TrySetNoDelay(accepted, noDelay);
                return connections.Create(accepted);
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound = true;
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _unbound = true;
            socket.Dispose();
            connections.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
