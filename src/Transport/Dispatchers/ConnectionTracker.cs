using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// The live connections of one dispatcher, and the graceful-stop sequence over them
/// (request close → wait → abort). Shared by dispatchers that run <see cref="ConnectionContext"/>s.
/// </summary>
internal sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<TrackedConnection, byte> _live = new();

    public int Count => _live.Count;

    public TrackedConnection Add(ConnectionContext context)
    {
        var connection = new TrackedConnection(context);
        _live.TryAdd(connection, 0);
        return connection;
    }

    public void Remove(TrackedConnection connection)
    {
        _live.TryRemove(connection, out _);
        connection.MarkCompleted();
    }

    public IReadOnlyList<DispatcherConnectionInfo> Snapshot() =>
        [.. _live.Keys.OrderBy(c => c.ConnectedAt).Select(c => c.ToInfo())];

    public void RequestCloseAll()
    {
        foreach (var connection in _live.Keys)
        {
            connection.RequestClose();
        }
    }

    /// <summary>Runs every connection's heartbeat callbacks.</summary>
    public void Heartbeat()
    {
        foreach (var connection in _live.Keys)
        {
            connection.Control.Heartbeat();
        }
    }

    /// <summary>The shutdown timeout expired: each protocol ends what is still running (RST_STREAM, GOAWAY).</summary>
    public void ShutdownTimeoutAll()
    {
        foreach (var connection in _live.Keys)
        {
            connection.Control.ShutdownTimeout();
        }
    }

    public void AbortAll(string reason)
    {
        foreach (var connection in _live.Keys)
        {
            try
            {
                connection.Context.Abort(new ConnectionAbortedException(reason));
            }
            catch (ObjectDisposedException)
            {
                // Finished between the snapshot and the abort.
            }
        }
    }

    /// <summary>Waits until every connection live now has completed; false on timeout or cancellation.</summary>
    public async Task<bool> WaitForAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = _live.Keys.Select(c => c.Completion).ToArray();
        if (pending.Length == 0)
        {
            return true;
        }

        try
        {
            await Task.WhenAll(pending).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
