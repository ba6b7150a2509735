using System.Net.Security;
using Http2Lab.Http2.Session;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Client;

/// <summary>How an <see cref="Http2Client"/> connects and what it advertises.</summary>
public sealed class Http2ClientOptions
{
    /// <summary>
    /// Validate the server's certificate over https (the default). Switch off only for labs and self-signed
    /// test servers (curl's <c>-k</c>).
    /// </summary>
    public bool ValidateCertificate { get; set; } = true;

    /// <summary>A custom certificate check; when set it replaces the default validation.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>Bound for the TCP connect and the TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Send <c>accept-encoding: gzip, br</c> when the request names none, and decode such response bodies
    /// (<see cref="Http2ClientResponse.Body"/>); true by default.
    /// </summary>
    public bool AutomaticDecompression { get; set; } = true;

    /// <summary>How often a request the server refused unprocessed (GOAWAY, REFUSED_STREAM) is tried again on a new connection (§8.7).</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>
    /// Our receiving side: stream and connection windows, header list size, CONTINUATION count, buffers.
    /// The defaults suit downloads of any size.
    /// </summary>
    public Http2Limits Limits { get; set; } = new()
    {
        InitialStreamWindowSize = 4 * 1024 * 1024,
        InitialConnectionWindowSize = 16 * 1024 * 1024,
        MaxHeaderListSize = 64 * 1024,
    };

    /// <summary>Logs connection events (and, at Trace, every frame received).</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Called with one line per frame sent (<c>send</c>) and received (<c>recv</c>): a frame trace (curl's <c>-v</c>).</summary>
    public Action<string>? FrameTrace { get; set; }
}
