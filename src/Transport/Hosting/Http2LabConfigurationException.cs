namespace Http2Lab.Transport.Hosting;

/// <summary>
/// A configuration error found while binding options or starting endpoints (a value of the wrong type, a certificate
/// that cannot be loaded, an address already in use). The message starts with the configuration key at fault.
/// </summary>
public sealed class Http2LabConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/> with a problem description.</summary>
    /// <param name="key">The configuration key at fault, e.g. <c>Http2Lab:Endpoints:h2:Certificate:Password</c>.</param>
    /// <param name="problem">What is wrong, without the key (it is prefixed to <see cref="Exception.Message"/>).</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public Http2LabConfigurationException(string key, string problem, Exception? innerException = null)
        : base($"{key}: {problem}", innerException)
    {
        Key = key;
    }

    /// <summary>The configuration key at fault.</summary>
    public string Key { get; }
}
