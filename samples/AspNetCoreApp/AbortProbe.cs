namespace Http2Lab.Samples.AspNetCoreApp;

/// <summary>Records requests of <c>/wait</c> that ended because the client went (RST_STREAM or disconnect).</summary>
public sealed class AbortProbe
{
    private TaskCompletionSource<string> _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the aborted request's trace identifier.</summary>
    public Task<string> Aborted => _aborted.Task;

    /// <summary>Called by the endpoint when its abort token fired.</summary>
    public void OnAborted(string traceIdentifier) => _aborted.TrySetResult(traceIdentifier);

    /// <summary>Arms the probe for the next abort.</summary>
    public void Reset() => _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
