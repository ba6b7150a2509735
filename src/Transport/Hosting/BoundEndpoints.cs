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
    private readonly Lock _addressesLock = new();
    private List<KeyValuePair<string, Uri>> _addresses = [];

    public Task WhenBound => _all.Task;

    public IReadOnlyDictionary<string, Uri> Urls =>
        _urls.Where(p => p.Value.Task.IsCompletedSuccessfully)
             .ToDictionary(p => p.Key, p => p.Value.Task.Result, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<KeyValuePair<string, Uri>> Addresses
    {
        get
        {
            lock (_addressesLock)
            {
                return [.. _addresses];
            }
        }
    }

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
        lock (_addressesLock)
        {
            _addresses.Add(new(name, url));
        }

        var slot = Slot(name);
        if (!slot.TrySetResult(url) && slot.Task.IsFaulted)
        {
            // Bound by a configuration reload after someone asked for it in vain.
            var fresh = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            fresh.SetResult(url);
            _urls[name] = fresh;
        }
    }

    /// <summary>Forgets an endpoint a configuration reload removed (or is about to bind again).</summary>
    internal void Unbound(string name)
    {
        _dispatchers.TryRemove(name, out _);
        _urls.TryRemove(name, out _);
        lock (_addressesLock)
        {
            _addresses = [.. _addresses.Where(a => !string.Equals(a.Key, name, StringComparison.OrdinalIgnoreCase))];
        }
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
