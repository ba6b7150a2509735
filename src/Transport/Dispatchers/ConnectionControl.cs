using Microsoft.AspNetCore.Connections.Features;

namespace Http2Lab.Transport.Dispatchers;

/// <summary>
/// What a pipe-based dispatcher offers the code running a connection, as a connection feature: the endpoint's
/// shared heartbeat (<see cref="IConnectionHeartbeatFeature"/>) and a last word before the shutdown timeout
/// aborts the connection (the protocol resets what is still running and says goodbye).
/// </summary>
internal sealed class ConnectionControl : IConnectionHeartbeatFeature
{
    private readonly Lock _lock = new();
    private List<(Action<object> Callback, object State)>? _heartbeats;
    private Action? _onShutdownTimeout;

    /// <inheritdoc />
    public void OnHeartbeat(Action<object> action, object state)
    {
        lock (_lock)
        {
            (_heartbeats ??= []).Add((action, state));
        }
    }

    /// <summary>Registers what to do when the shutdown timeout expires, before the transport is aborted.</summary>
    public void OnShutdownTimeout(Action action) => _onShutdownTimeout = action;

    /// <summary>Runs the heartbeat callbacks (on the dispatcher's heartbeat thread).</summary>
    public void Heartbeat()
    {
        (Action<object> Callback, object State)[] callbacks;
        lock (_lock)
        {
            if (_heartbeats is null)
            {
                return;
            }

            callbacks = [.. _heartbeats];
        }

        foreach ((Action<object> callback, object state) in callbacks)
        {
            callback(state);
        }
    }

    /// <summary>The shutdown timeout expired: let the protocol end what is running.</summary>
    public void ShutdownTimeout() => _onShutdownTimeout?.Invoke();
}
