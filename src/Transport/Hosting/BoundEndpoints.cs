using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Http2Lab.Transport.Dispatchers;

namespace Http2Lab.Transport.Hosting;

/// <summary>The <see cref="IBoundEndpoints"/> the endpoint host fills in as it binds.</summary>
internal sealed class BoundEndpoints : IBoundEndpoints
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Uri>> _urls = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Dispatcher> _dispatchers = new(StringComparer.OrdinalIgnoreCase);
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<KeyValuePair<string, Uri>> _addresses = new();

    public Task WhenBound => _all.Task;

    public IReadOnlyDictionary<string, Uri> Urls =>
        _urls.Where(p => p.Value.Task.IsCompletedSuccessfully)
             .ToDictionary(p => p.Key, p => p.Value.Task.Result, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<KeyValuePair<string, Uri>> Addresses => [.. _addresses];

    public Task<Uri> GetUrlAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var url = Slot(name);

        // Asked after start has finished, for a name that was never bound: answer now instead of never.
        if (_all.Task.IsCompleted && !url.Task.IsCompleted)
        {
            Settle(name, url);
        }

        return url.Task.WaitAsync(cancellationToken);
    }

    public bool TryGetDispatcher(string name, [NotNullWhen(true)] out Dispatcher? dispatcher) =>
        _dispatchers.TryGetValue(name, out dispatcher);

    /// <summary>Records a listening address; the first of an endpoint (127.0.0.1 for localhost) is its URL.</summary>
    internal void Bound(string name, Uri url, Dispatcher dispatcher)
    {
        _dispatchers.TryAdd(name, dispatcher);
        _addresses.Enqueue(new(name, url));
        Slot(name).TrySetResult(url);
    }

    internal void AllBound()
    {
        _all.TrySetResult();
        foreach (var (name, url) in _urls)
        {
            Settle(name, url);
        }
    }

    internal void Failed(Exception error)
    {
        _all.TrySetException(error);
        foreach (var (name, url) in _urls)
        {
            Settle(name, url);
        }
    }

    private TaskCompletionSource<Uri> Slot(string name) =>
        _urls.GetOrAdd(name, static _ => new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void Settle(string name, TaskCompletionSource<Uri> url)
    {
        if (_all.Task.Exception is { } failure)
        {
            url.TrySetException(failure.InnerExceptions);
        }
        else
        {
            url.TrySetException(new KeyNotFoundException($"No endpoint named '{name}' is bound."));
        }
    }
}
