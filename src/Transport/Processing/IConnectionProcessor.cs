using System.Buffers;

namespace Http2Lab.Transport.Processing;

/// <summary>
/// A protocol's handling of one connection, without I/O (sans-IO): octets in, octets out. A dispatcher reads
/// the socket and hands the octets to <see cref="Receive"/>, writes out <see cref="PendingOutput"/>, and closes
/// once <see cref="IsCompleted"/>. Every call is made inside the connection's <see cref="ConnectionGate"/>; work
/// that finishes elsewhere (a handler that awaited) enters the gate the same way, and the dispatcher then writes
/// whatever output it produced.
/// </summary>
public interface IConnectionProcessor : IAsyncDisposable
{
    /// <summary>
    /// Processes what it can of <paramref name="input"/> and returns how many octets it consumed; the rest is
    /// offered again with more octets appended.
    /// </summary>
    long Receive(in ReadOnlySequence<byte> input);

    /// <summary>The peer closed its sending side: no more input will come.</summary>
    void OnInputCompleted();

    /// <summary>Whether octets are waiting to be written.</summary>
    bool HasOutput { get; }

    /// <summary>The octets waiting to be written; valid until the next call.</summary>
    ReadOnlyMemory<byte> PendingOutput { get; }

    /// <summary><paramref name="count"/> octets of <see cref="PendingOutput"/> were written.</summary>
    void AdvanceOutput(int count);

    /// <summary>Moves all pending output into <paramref name="destination"/>.</summary>
    void DrainOutputTo(IBufferWriter<byte> destination);

    /// <summary>While true, the dispatcher reads no input until output has been written (backpressure).</summary>
    bool IsInputPaused { get; }

    /// <summary>Nothing more to do: the dispatcher writes the remaining output and closes.</summary>
    bool IsCompleted { get; }

    /// <summary>The peer stopped reading: close at once without writing what is pending.</summary>
    bool RequiresAbort { get; }

    /// <summary>
    /// Between requests: at least one was served and none is in flight, so closing now (gracefully) loses nothing.
    /// A dispatcher that serves one client at a time closes an idle one when another client is waiting.
    /// </summary>
    bool IsIdle { get; }

    /// <summary>About once a second, from the dispatcher's shared heartbeat: timeouts and data rates.</summary>
    void OnHeartbeat();

    /// <summary>The server is stopping: finish in-flight work and close (e.g. HTTP/2 GOAWAY NO_ERROR).</summary>
    void RequestClose();

    /// <summary>The shutdown timeout expired: end now, telling the peer what was abandoned (e.g. RST_STREAM, GOAWAY).</summary>
    void Abort(string reason);

    /// <summary>The transport is gone: abandon everything.</summary>
    void OnTransportClosed();
}
