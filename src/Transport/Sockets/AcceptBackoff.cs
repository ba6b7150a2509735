using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Sockets;

/// <summary>
/// What an accept loop does when accept fails. A connection reset while still in the backlog: try again at once.
/// Out of file descriptors or memory (EMFILE, ENFILE, ENOBUFS): wait — 10 ms doubling to 1 s — instead of spinning,
/// and log once per interval how many accepts failed, so the loop recovers by itself when descriptors free up.
/// </summary>
internal sealed partial class AcceptBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly string _endpoint;
    private TimeSpan _delay = TimeSpan.Zero;
    private long _lastLog;
    private int _failuresSinceLog;
    private bool _reported;

    public AcceptBackoff(ILogger logger, string endpoint)
    {
        _logger = logger;
        _endpoint = endpoint;
    }

    /// <summary>Whether accept may be retried after <paramref name="error"/> (anything else means the listener is gone).</summary>
    public static bool IsRetryable(SocketError error) => error is SocketError.ConnectionReset or SocketError.ConnectionAborted
        or SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.Interrupted
        or SocketError.WouldBlock or SocketError.TryAgain or SocketError.ProtocolOption or SocketError.NetworkDown
        or SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.SocketError;

    /// <summary>
    /// Whether to accept now: not while out of descriptors (the <see cref="DescriptorReserve"/> cannot be taken back).
    /// <paramref name="wait"/> is how long to wait before asking again.
    /// </summary>
    public bool MayAccept(out TimeSpan wait)
    {
        if (DescriptorReserve.IsHeld)
        {
            wait = TimeSpan.Zero;
            return true;
        }

        wait = OnFailure(SocketError.TooManyOpenSockets);
        return false;
    }

    /// <summary>The wait before the next accept after <paramref name="error"/>; logs at most once per interval.</summary>
    public TimeSpan OnFailure(SocketError error)
    {
        if (error is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Interrupted or SocketError.WouldBlock or SocketError.TryAgain)
        {
            return TimeSpan.Zero;
        }

        if (error is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
        {
            DescriptorReserve.Release(); // the process needs them more than the next connection does
        }

        _failuresSinceLog++;
        long now = Environment.TickCount64;
        if (_lastLog == 0 || now - _lastLog >= LogInterval.TotalMilliseconds)
        {
            LogAcceptFailing(_logger, _endpoint, error, _failuresSinceLog, LogInterval.TotalSeconds);
            _lastLog = now;
            _failuresSinceLog = 0;
            _reported = true;
        }

        _delay = _delay == TimeSpan.Zero ? First : TimeSpan.FromTicks(Math.Min(_delay.Ticks * 2, Longest.Ticks));
        return _delay;
    }

    /// <summary>An accept succeeded: the next failure starts the back-off afresh.</summary>
    public void OnSuccess()
    {
        _delay = TimeSpan.Zero;
        if (_reported)
        {
            // Once per reported failure, so a server hovering at its limit does not log every accept.
            LogAcceptRecovered(_logger, _endpoint);
            _reported = false;
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning,
        Message = "Endpoint '{Endpoint}': accept failed ({Error}; {Count} time(s) since the last report, reported at most every {Seconds} s); backing off — is the file-descriptor limit (ulimit -n) reached? Lower Http2Lab:Limits:MaxConnections below it")]
    private static partial void LogAcceptFailing(ILogger logger, string endpoint, SocketError error, int count, double seconds);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Endpoint '{Endpoint}': accepting connections again")]
    private static partial void LogAcceptRecovered(ILogger logger, string endpoint);
}
