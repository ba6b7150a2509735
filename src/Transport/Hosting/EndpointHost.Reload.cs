using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Configuration reload, as Kestrel does it: when the reloaded <see cref="TransportOptions"/> are valid, endpoints no
/// longer configured stop accepting and drain (their connections get GOAWAY and finish within the shutdown timeout),
/// endpoints whose settings changed are drained and bound again, and new endpoints are bound. Limits are not
/// endpoints: they reach new connections through <see cref="ReloadableOptions{T}"/> directly.
/// </summary>
internal sealed partial class EndpointHost
{
    /// <summary>One change at a time, in order; stop waits for the one under way.</summary>
    private readonly SemaphoreSlim _changes = new(1, 1);
    private volatile bool _stopping;

    private void FollowReloads()
    {
        if (reloadable is not null)
        {
            reloadable.Changed += OnReloaded;
        }
    }

    private void StopFollowing()
    {
        _stopping = true;
        if (reloadable is not null)
        {
            reloadable.Changed -= OnReloaded;
        }
    }

    private async Task StopFollowingReloadsAsync(CancellationToken cancellationToken)
    {
        StopFollowing();
        try
        {
            await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
            _changes.Release();
        }
        catch (OperationCanceledException)
        {
            // The host gave up waiting: stop what is running now.
        }
    }

    /// <summary>Settings that make an endpoint what it is: any difference means it must be bound again.</summary>
    private static string Fingerprint(EndpointOptions endpoint) => JsonSerializer.Serialize(endpoint);

    private void OnReloaded(TransportOptions fresh) => _ = ApplyAsync(fresh);

    private async Task ApplyAsync(TransportOptions fresh)
    {
        await _changes.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stopping)
            {
                return;
            }

            var wanted = fresh.Endpoints.ToDictionary(p => p.Key, p => (Options: p.Value, Fingerprint: Fingerprint(p.Value)), StringComparer.OrdinalIgnoreCase);
            var leaving = _endpoints.Where(e => !wanted.TryGetValue(e.Key, out var w) || w.Fingerprint != e.Value.Fingerprint).ToList();
            foreach (var (name, _) in leaving)
            {
                _endpoints.Remove(name);
                bound.Unbound(name);
                ReloadLog.EndpointChange(logger, name, wanted.ContainsKey(name) ? "changed: draining it, then binding it again" : "removed: no new connections, draining");
            }

            // Drained together: each waits at most for the shutdown timeout.
            await Task.WhenAll(leaving.Select(e => e.Value.DrainAsync(CancellationToken.None))).ConfigureAwait(false);

            foreach (var (name, (endpoint, fingerprint)) in wanted)
            {
                if (!_endpoints.ContainsKey(name) && !_stopping)
                {
                    await StartReloadedAsync(name, endpoint, fingerprint).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex)
        {
            ReloadLog.ListenerFailed(logger, nameof(TransportOptions), ex);
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task StartReloadedAsync(string name, EndpointOptions endpoint, string fingerprint)
    {
        var run = new EndpointRun(fingerprint);
        try
        {
            var context = pipelines.Create(name, endpoint, keys.Endpoint(name, endpoint));
            _endpoints[name] = run;
            await StartEndpointAsync(context, run, CancellationToken.None).ConfigureAwait(false);
            ReloadLog.EndpointChange(logger, name, "bound");
        }
        catch (Exception ex)
        {
            // A port in use, a certificate that does not load: the rest of the server runs on.
            _endpoints.Remove(name);
            bound.Unbound(name);
            await run.DisposeAsync().ConfigureAwait(false);
            foreach (var line in Http2LabHostRunner.DescribeConfigurationError(ex) ?? [ex.Message])
            {
                ReloadLog.EndpointFailed(logger, name, line);
            }
        }
    }
}
