using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Http2Lab.Transport.Tls.Engines;

/// <summary>
/// One TLS server session that never touches a socket (memory buffers, the way the poll loop needs it): the loop
/// feeds it the ciphertext it read, takes out plaintext for the protocol, hands it the protocol's plaintext to
/// encrypt, and writes out its ciphertext when the socket allows. Single-threaded: only the loop calls it.
/// </summary>
internal interface ITlsEngine : IDisposable
{
    /// <summary>Where the session is: handshaking, established, closed by close_notify, or failed.</summary>
    TlsEngineState State { get; }

    /// <summary>Why the handshake or the session failed (alert, bad record, no common ALPN id), once <see cref="State"/> is Failed.</summary>
    string? FailureReason { get; }

    /// <summary>The ALPN id both sides agreed on (default when none), once established.</summary>
    SslApplicationProtocol NegotiatedApplicationProtocol { get; }

    /// <summary>The TLS version, once established.</summary>
    SslProtocols Protocol { get; }

    /// <summary>The cipher suite, once established.</summary>
    TlsCipherSuite CipherSuite { get; }

    /// <summary>The certificate the client presented, once established; null when it sent none.</summary>
    X509Certificate2? RemoteCertificate { get; }

    /// <summary>The host name the client asked for (SNI), once established; empty when it sent none.</summary>
    string ServerName { get; }

    /// <summary>
    /// Takes ciphertext that arrived from the client and advances the session as far as it allows (handshake
    /// messages to answer go to <see cref="PendingCiphertext"/>; application data becomes readable with
    /// <see cref="ReadPlaintext"/>). Takes all of it.
    /// </summary>
    void FeedCiphertext(ReadOnlySpan<byte> ciphertext);

    /// <summary>Decrypted application data into <paramref name="destination"/>; 0 when none is available now.</summary>
    int ReadPlaintext(Span<byte> destination);

    /// <summary>
    /// Whether a read may return application data now: never false while a read would return more than 0. An
    /// engine that decrypts lazily also says true for ciphertext it holds undecrypted, which may turn out to be a
    /// partial record or no application data; one read then returns 0 and this becomes false until more is fed.
    /// </summary>
    bool HasPlaintext { get; }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (as few records as the TLS record size allows) into <see cref="PendingCiphertext"/>:
    /// once established, and still after the client's close_notify (a half-close), until <see cref="Close"/>.
    /// </summary>
    void WritePlaintext(ReadOnlySpan<byte> plaintext);

    /// <summary>Ciphertext waiting to be written to the socket; valid until the next call.</summary>
    ReadOnlyMemory<byte> PendingCiphertext { get; }

    /// <summary><paramref name="count"/> octets of <see cref="PendingCiphertext"/> were written.</summary>
    void AdvanceCiphertext(int count);

    /// <summary>Queues close_notify, also after the client's own (the session then accepts no more plaintext).</summary>
    void Close();
}
