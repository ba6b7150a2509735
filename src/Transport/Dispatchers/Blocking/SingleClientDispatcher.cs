using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Blocking;

/// <summary>
/// One client at a time, on one thread, with blocking socket I/O (and <c>SslStream</c>'s synchronous API): while a
/// client is served, nobody else is; the next is served only when it has closed. The least overhead of all
/// dispatchers — no locks contended, no thread hops — so it wins for one pipelining client.
/// </summary>
/// <remarks>
/// "Client" means a connection that has started talking: between clients the thread waits on the listener and on
/// connections accepted but still silent, and serves the first that sends something. A client that connects and
/// says nothing therefore does not block one that does (some tools, h2spec among them, hold an idle connection
/// open while they make a request on another); a silent connection is closed after the TLS handshake timeout.
/// A client between requests (its protocol is idle) is asked to close as soon as another is waiting.
/// </remarks>
internal sealed class SingleClientDispatcher : BlockingDispatcher
{
    private readonly List<(Socket Socket, long AcceptedAt)> _silent = [];
    private readonly TimeSpan _silenceLimit;

    /// <summary>Creates the dispatcher of one endpoint.</summary>
    public SingleClientDispatcher(EndpointContext endpoint, ILogger<SingleClientDispatcher> logger)
        : base(endpoint, logger) => _silenceLimit = endpoint.Transport.HandshakeTimeout;

    /// <inheritdoc />
    protected override string AcceptThreadName => $"Http2Lab single-client {EndpointName}";

    private protected override void Dispatch(BlockingConnection connection, Action finished)
    {
        try
        {
            connection.Run();
        }
        finally
        {
            finished();
        }
    }

    private protected override Func<bool>? OthersWaiting => _othersWaiting ??= () => _silent.Count > 0 || IsListenerReady();

    private Func<bool>? _othersWaiting;
    private Socket? _listener;

    private bool IsListenerReady()
    {
        try
        {
            return _listener?.Poll(0, SelectMode.SelectRead) == true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    protected override Socket AcceptNext(Socket listener)
    {
        _listener = listener;
        var readable = new List<Socket>();
        while (true)
        {
            DropSilentTooLong();
            readable.Clear();
            readable.Add(listener);
            readable.AddRange(_silent.Select(s => s.Socket));
            try
            {
                Socket.Select(readable, null, null, TimeSpan.FromSeconds(1));
            }
            catch (ObjectDisposedException) when (IsStopping)
            {
                DropSilentTooLong(); // the listener closed: waiting connections close with it
                throw;
            }

            // Waiting connections first: one that talked is served; one that closed leaves, before the listener's
            // newcomers are counted against the limit.
            if (readable.FirstOrDefault(s => s != listener) is { } talking)
            {
                _silent.RemoveAll(s => s.Socket == talking);
                return talking;
            }

            if (readable.Count > 0)
            {
                Socket accepted = listener.Accept();
                if (_silent.Count + LiveCount >= Context.MaxConnections)
                {
                    Reject(accepted, _silent.Count + LiveCount); // waiting connections count too
                }
                else
                {
                    _silent.Add((accepted, Environment.TickCount64));
                }
            }
        }
    }

    private void DropSilentTooLong()
    {
        long now = Environment.TickCount64;
        for (int i = _silent.Count - 1; i >= 0; i--)
        {
            if (now - _silent[i].AcceptedAt > _silenceLimit.TotalMilliseconds || IsStopping)
            {
                _silent[i].Socket.Dispose();
                _silent.RemoveAt(i);
            }
        }
    }
}
