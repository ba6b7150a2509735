using Microsoft.Extensions.Logging;

namespace Http2Lab.AspNetCore;

/// <summary>The ASP.NET Core server's log lines.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Error, "Connection id \"{ConnectionId}\", Request id \"{TraceIdentifier}\": An unhandled exception was thrown by the application.")]
    public static partial void ApplicationError(ILogger logger, Exception exception, string connectionId, string traceIdentifier);

    [LoggerMessage(2, LogLevel.Debug, "Request id \"{TraceIdentifier}\": the request was aborted by the client while the application ran.")]
    public static partial void ApplicationAborted(ILogger logger, Exception exception, string traceIdentifier);

    [LoggerMessage(3, LogLevel.Error, "Request id \"{TraceIdentifier}\": an {Callback} callback failed.")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string callback, string traceIdentifier);

}
