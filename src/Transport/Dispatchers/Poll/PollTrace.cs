using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Dispatchers.Poll;

/// <summary>
/// The poll loop's action trace (<c>Http2Lab:Endpoints:&lt;name&gt;:PollTrace</c>): every action the loop selects for a
/// client, with the state it was selected from, so a person can see why the loop did what it did. Off by default;
/// when off the loop holds no trace object and pays one null check per action.
/// </summary>
internal sealed partial class PollTrace(ILogger logger, string endpoint)
{
    public void Record(PollClient client, PollAction action) =>
        LogAction(logger, endpoint, client.Id, action, client.Describe());

    [LoggerMessage(EventId = 150, Level = LogLevel.Information, Message = "poll {Endpoint} {ConnectionId} {Action,-11} [{State}]")]
    private static partial void LogAction(ILogger logger, string endpoint, string connectionId, PollAction action, string state);
}
