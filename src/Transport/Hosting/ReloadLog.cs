using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Hosting;

/// <summary>Log lines of configuration reloads (<see cref="ReloadableOptions{T}"/> and the endpoint host).</summary>
internal static partial class ReloadLog
{
    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Configuration reloaded: new {Options} apply to new connections")]
    public static partial void Applied(ILogger logger, string options);

    [LoggerMessage(EventId = 421, Level = LogLevel.Error, Message = "Configuration reload ignored ({Options} unchanged): {Problem}")]
    public static partial void Rejected(ILogger logger, string options, string problem);

    [LoggerMessage(EventId = 422, Level = LogLevel.Error, Message = "Applying reloaded {Options} failed")]
    public static partial void ListenerFailed(ILogger logger, string options, Exception exception);

    [LoggerMessage(EventId = 423, Level = LogLevel.Information, Message = "Configuration reloaded: endpoint '{Endpoint}' {Change}")]
    public static partial void EndpointChange(ILogger logger, string endpoint, string change);

    [LoggerMessage(EventId = 424, Level = LogLevel.Error, Message = "Configuration reloaded: endpoint '{Endpoint}' not started: {Problem}")]
    public static partial void EndpointFailed(ILogger logger, string endpoint, string problem);
}
