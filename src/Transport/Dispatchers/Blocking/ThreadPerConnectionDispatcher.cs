using Http2Lab.Transport.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Blocking;

/// <summary>
/// An accept thread plus one named thread per connection, each with blocking socket I/O. Live connections (and
/// their threads) are listed by <see cref="Dispatcher.GetConnections"/>; a thread ends with its connection.
/// </summary>
internal sealed class ThreadPerConnectionDispatcher : BlockingDispatcher
{
    private long _count;

    /// <summary>Creates the dispatcher of one endpoint.</summary>
    public ThreadPerConnectionDispatcher(EndpointContext endpoint, ILogger<ThreadPerConnectionDispatcher> logger)
        : base(endpoint, logger)
    {
    }

    /// <inheritdoc />
    protected override string AcceptThreadName => $"Http2Lab accept {EndpointName}";

    private protected override bool HasRoomFor(System.Net.Sockets.Socket socket)
    {
        // A new thread needs descriptors (the runtime aborts the process when it cannot create one), and so does
        // what its connection and the thread pool do next: keep a few free.
        if (Sockets.DescriptorReserve.HasHeadroom(8))
        {
            return true;
        }

        Sockets.DescriptorReserve.Release(); // for the threads and handles the process already has
        return false;
    }

    private protected override void Dispatch(BlockingConnection connection, Action finished)
    {
        var thread = new Thread(() =>
        {
            try
            {
                connection.Run();
            }
            finally
            {
                finished();
            }
        })
        {
            IsBackground = true,
            Name = $"Http2Lab {EndpointName} #{Interlocked.Increment(ref _count)}",
        };
        thread.Start();
    }
}
