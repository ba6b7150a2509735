namespace Http2Lab.Transport.Tls;

/// <summary>
/// Finds the entry for the host name a client sent (TLS SNI): an exact name first, then the longest wildcard
/// (<c>*.example</c> matches names under <c>example</c>, at any depth, not <c>example</c> itself), then <c>*</c>;
/// null when none matches (the endpoint's own certificate then serves). Names compare case-insensitively.
/// </summary>
/// <typeparam name="T">What is selected: a certificate, or an engine's context.</typeparam>
internal sealed class SniMap<T>
    where T : class
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, T Value)> _wildcards = [];
    private readonly T? _any;

    /// <summary>Builds the map from (host name pattern, value) pairs.</summary>
    public SniMap(IEnumerable<KeyValuePair<string, T>> entries)
    {
        foreach (var (name, value) in entries)
        {
            if (name == "*")
            {
                _any = value;
            }
            else if (name.StartsWith("*.", StringComparison.Ordinal))
            {
                _wildcards.Add((name[1..], value));
            }
            else
            {
                _exact[name] = value;
            }
        }

        // Longest suffix first, so *.a.example wins over *.example for b.a.example.
        _wildcards.Sort((a, b) => b.Suffix.Length.CompareTo(a.Suffix.Length));
    }

    /// <summary>Whether a host name pattern is one this map understands: <c>*</c>, <c>*.name</c> or a name without <c>*</c>.</summary>
    public static bool IsValidPattern(string? pattern) =>
        !string.IsNullOrWhiteSpace(pattern) && !pattern.Any(char.IsWhiteSpace)
        && (pattern == "*" || (pattern.StartsWith("*.", StringComparison.Ordinal) ? pattern.Length > 2 && !pattern[1..].Contains('*') : !pattern.Contains('*')));

    /// <summary>The value for <paramref name="hostName"/> (null or empty: the client sent no name), or null.</summary>
    public T? Find(string? hostName)
    {
        if (!string.IsNullOrEmpty(hostName))
        {
            if (_exact.TryGetValue(hostName, out var exact))
            {
                return exact;
            }

            foreach (var (suffix, value) in _wildcards)
            {
                if (hostName.Length > suffix.Length && hostName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return value;
                }
            }
        }

        return _any;
    }
}
