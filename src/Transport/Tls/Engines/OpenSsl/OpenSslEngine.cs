using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Transport.Buffers;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// <see cref="ITlsEngine"/> on OpenSSL through P/Invoke: an <c>SSL*</c> in server mode between two memory BIOs. Fed
/// ciphertext goes into the read BIO; the handshake runs as it arrives; records are decrypted only when the loop
/// reads; whatever OpenSSL writes is moved at once from the write BIO into a pooled queue the loop sends from.
/// </summary>
/// <remarks>
/// An idle established session holds the <c>SSL</c> (its record buffers released, see
/// <see cref="OpenSslEngineFactory"/>), two memory BIOs of at most <see cref="RetainedBioCapacity"/> each, and no
/// managed buffer: the ciphertext queue goes back to the pool whenever it empties.
/// </remarks>
internal sealed class OpenSslEngine : ITlsEngine
{
    /// <summary>A memory BIO's buffer grows to the most it ever held and never shrinks; one that grew past this is
    /// swapped for a new one once empty, so a burst (a 1 MiB response, a fast upload) leaves nothing behind.</summary>
    public const int RetainedBioCapacity = 4 * 1024;

    // The most plaintext one TLS record carries (RFC 8446 §5.1): one SSL_write per record, drained at once.
    private const int RecordPlaintext = 16 * 1024;

    // Header, explicit nonce or content type, tag: an upper bound per record, to size the queue once for a write.
    private const int RecordOverhead = 64;

    private static readonly IntPtr MemoryMethod = LibCrypto.BIO_s_mem();

    private readonly SslHandle _ssl;
    private readonly OpenSslAlpnPolicy _alpn;
    private readonly ByteQueue _ciphertext = new();
    private IntPtr _readBio;
    private IntPtr _writeBio;
    private int _readBioHeld;   // ciphertext fed and not yet taken by OpenSSL: exact after every call
    private int _readBioPeak;   // the most the read BIO held since it was created: its capacity, near enough
    private int _writeBioPeak;
    private bool _filledDestination;
    private bool _closeSent;
    private bool _disposed;

    internal OpenSslEngine(SslContextHandle context, OpenSslAlpnPolicy alpn)
    {
        _alpn = alpn;
        LibCrypto.ERR_clear_error();
        _ssl = LibSsl.SSL_new(context);
        if (_ssl.IsInvalid)
        {
            _ssl.Dispose();
            throw OpenSslError.Exception("SSL_new");
        }

        _ssl.KeepAlive(context);
        try
        {
            _readBio = NewMemoryBio();
            _writeBio = NewMemoryBio(_readBio);
            LibSsl.SSL_set_bio(_ssl, _readBio, _writeBio); // the SSL owns them from here: SSL_free frees them
            LibSsl.SSL_set_accept_state(_ssl);
        }
        catch
        {
            _ssl.Dispose();
            throw;
        }
    }

    public TlsEngineState State { get; private set; }

    public string? FailureReason { get; private set; }

    public SslApplicationProtocol NegotiatedApplicationProtocol { get; private set; }

    public SslProtocols Protocol { get; private set; }

    public TlsCipherSuite CipherSuite { get; private set; }

    public X509Certificate2? RemoteCertificate { get; private set; }

    public string ServerName { get; private set; } = "";

    /// <summary>
    /// True while the read BIO holds ciphertext not yet decrypted, or the last read filled its destination and OpenSSL
    /// holds the rest of the record. Undecrypted octets may be a partial record: one read then returns 0 and clears it.
    /// </summary>
    public bool HasPlaintext =>
        State == TlsEngineState.Established && !_disposed
        && (_readBioHeld > 0 || (_filledDestination && LibSsl.SSL_pending(_ssl) > 0));

    public ReadOnlyMemory<byte> PendingCiphertext => _ciphertext.Memory;

    public void FeedCiphertext(ReadOnlySpan<byte> ciphertext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ciphertext.IsEmpty || State is TlsEngineState.Failed or TlsEngineState.Closed)
        {
            return; // after close_notify or a failure nothing the client sends matters
        }

        if (LibCrypto.BIO_write(_readBio, ref MemoryMarshal.GetReference(ciphertext), ciphertext.Length) != ciphertext.Length)
        {
            Fail(LibSsl.SslErrorSsl, "cannot buffer ciphertext");
            return;
        }

        _readBioHeld += ciphertext.Length;
        _readBioPeak = Math.Max(_readBioPeak, _readBioHeld);
        if (State == TlsEngineState.Handshaking)
        {
            Handshake(); // records after the client's Finished wait in the read BIO for ReadPlaintext
        }
    }

    public int ReadPlaintext(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _filledDestination = false;
        if (destination.IsEmpty || State != TlsEngineState.Established)
        {
            return 0;
        }

        LibCrypto.ERR_clear_error(); // SSL_get_error reads the queue: it must hold only this call's errors
        int read = LibSsl.SSL_read(_ssl, ref MemoryMarshal.GetReference(destination), destination.Length);
        if (read > 0)
        {
            _filledDestination = read == destination.Length;
            _readBioHeld = (int)LibCrypto.BIO_ctrl_pending(_readBio);
        }
        else
        {
            int error = LibSsl.SSL_get_error(_ssl, read);
            if (error == LibSsl.SslErrorWantRead)
            {
                _readBioHeld = 0; // OpenSSL took every octet there was (a partial record waits inside the SSL)
            }
            else if (error == LibSsl.SslErrorZeroReturn)
            {
                State = TlsEngineState.Closed; // close_notify
            }
            else
            {
                Fail(error, "TLS record failed");
            }

            read = 0;
        }

        // Reading may have produced records to send: an alert, a TLS 1.3 KeyUpdate answer.
        DrainWriteBio();
        ReleaseGrownBios();
        return read;
    }

    /// <summary>
    /// Encrypts all of <paramref name="plaintext"/>, one SSL_write per full record. Established, or after the client's
    /// close_notify (a half-close may still be answered); otherwise — handshaking, failed, or after our own
    /// <see cref="Close"/> — the octets are dropped, as the SslStream engine drops them.
    /// </summary>
    public void WritePlaintext(ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (plaintext.IsEmpty || _closeSent || State is not (TlsEngineState.Established or TlsEngineState.Closed))
        {
            return;
        }

        int records = (plaintext.Length + RecordPlaintext - 1) / RecordPlaintext;
        _ciphertext.Reserve((int)Math.Min(int.MaxValue, plaintext.Length + ((long)records * RecordOverhead)));
        while (!plaintext.IsEmpty)
        {
            LibCrypto.ERR_clear_error();
            int written = LibSsl.SSL_write(_ssl, ref MemoryMarshal.GetReference(plaintext), Math.Min(plaintext.Length, RecordPlaintext));
            if (written <= 0)
            {
                Fail(LibSsl.SSL_get_error(_ssl, written), "TLS write failed");
                DrainWriteBio(); // the alert, if OpenSSL queued one
                break;
            }

            // Drained record by record, so the write BIO never holds more than one.
            DrainWriteBio();
            plaintext = plaintext[written..];
        }

        ReleaseGrownBios();
    }

    public void AdvanceCiphertext(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _ciphertext.Length);
        _ciphertext.Consume(count); // back to the pool once empty
    }

    /// <summary>Queues close_notify; during the handshake there is nothing to close cleanly, the state just becomes Closed.</summary>
    public void Close()
    {
        if (_disposed || _closeSent || State == TlsEngineState.Failed)
        {
            return;
        }

        _closeSent = true;
        if (State != TlsEngineState.Handshaking)
        {
            LibCrypto.ERR_clear_error();
            LibSsl.SSL_shutdown(_ssl); // 0 or 1: close_notify written either way; the client's is not awaited
            LibCrypto.ERR_clear_error();
            DrainWriteBio();
        }

        State = TlsEngineState.Closed;
    }

    /// <summary>Frees the SSL and its BIOs, and returns the ciphertext queue's buffer.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _readBio = _writeBio = IntPtr.Zero;
        _ssl.Dispose();
        _ciphertext.Dispose();
    }

    private void Handshake()
    {
        OpenSslAlpnPolicy.ClearRefusal();
        LibCrypto.ERR_clear_error();
        int result = LibSsl.SSL_do_handshake(_ssl);
        if (result == 1)
        {
            _readBioHeld = (int)LibCrypto.BIO_ctrl_pending(_readBio);
            Established();
        }
        else
        {
            int error = LibSsl.SSL_get_error(_ssl, result);
            if (error == LibSsl.SslErrorWantRead)
            {
                _readBioHeld = 0;
            }
            else
            {
                Fail(error, "TLS handshake failed");
            }
        }

        DrainWriteBio(); // the next flight, the session tickets, or the alert that explains a failure

        // The handshake's buffers (ClientHello in, certificate flight out) are of no use to an established session.
        ReleaseGrownBios(State == TlsEngineState.Established ? 0 : RetainedBioCapacity);
    }

    private void Established()
    {
        State = TlsEngineState.Established;
        Protocol = LibSsl.SSL_version(_ssl) switch
        {
            LibSsl.Tls13Version => SslProtocols.Tls13,
            LibSsl.Tls12Version => SslProtocols.Tls12,
            _ => SslProtocols.None,
        };

        IntPtr cipher = LibSsl.SSL_get_current_cipher(_ssl);
        CipherSuite = cipher == IntPtr.Zero ? default : (TlsCipherSuite)LibSsl.SSL_CIPHER_get_protocol_id(cipher);
        LibSsl.SSL_get0_alpn_selected(_ssl, out IntPtr alpn, out uint alpnLength);
        NegotiatedApplicationProtocol = _alpn.Resolve(alpn, alpnLength);
        RemoteCertificate = ReadPeerCertificate();
        IntPtr name = LibSsl.SSL_get_servername_established(_ssl, LibSsl.TlsExtNameTypeHostName);
        ServerName = name == IntPtr.Zero ? "" : Marshal.PtrToStringUTF8(name) ?? "";
    }

    /// <summary>The client's certificate as .NET sees one (its DER), when it sent one.</summary>
    private X509Certificate2? ReadPeerCertificate()
    {
        IntPtr x509 = LibSsl.SSL_get1_peer_certificate(_ssl);
        if (x509 == IntPtr.Zero)
        {
            return null;
        }

        IntPtr der = IntPtr.Zero;
        try
        {
            IntPtr none = IntPtr.Zero;
            int length = LibCrypto.i2d_X509(x509, ref none);
            if (length <= 0)
            {
                return null;
            }

            der = Marshal.AllocHGlobal(length);
            IntPtr cursor = der; // i2d_X509 advances it past what it wrote
            if (LibCrypto.i2d_X509(x509, ref cursor) != length)
            {
                return null;
            }

            byte[] bytes = new byte[length];
            Marshal.Copy(der, bytes, 0, length);
            return X509CertificateLoader.LoadCertificate(bytes);
        }
        finally
        {
            if (der != IntPtr.Zero)
            {
                Marshal.FreeHGlobal(der);
            }

            LibCrypto.X509_free(x509);
        }
    }

    private void Fail(int sslError, string what)
    {
        string? refusal = OpenSslAlpnPolicy.TakeRefusal();
        string? error = OpenSslError.Take() ?? sslError switch
        {
            LibSsl.SslErrorZeroReturn => "the client sent close_notify",
            LibSsl.SslErrorSyscall => "the input ended unexpectedly",
            _ => $"SSL_get_error {sslError}",
        };
        FailureReason = refusal ?? $"{what}: {error}";
        State = TlsEngineState.Failed;
    }

    /// <summary>Moves everything OpenSSL wrote into the ciphertext queue (memory BIOs hand over what is asked for).</summary>
    private void DrainWriteBio()
    {
        int pending = (int)LibCrypto.BIO_ctrl_pending(_writeBio);
        if (pending == 0)
        {
            return;
        }

        _writeBioPeak = Math.Max(_writeBioPeak, pending);
        Span<byte> room = _ciphertext.Reserve(pending);
        int read = LibCrypto.BIO_read(_writeBio, ref MemoryMarshal.GetReference(room), pending);
        if (read > 0)
        {
            _ciphertext.Commit(read);
        }
    }

    private void ReleaseGrownBios(int retained = RetainedBioCapacity)
    {
        if (State == TlsEngineState.Handshaking)
        {
            return; // during the handshake a buffering BIO sits on the write BIO; the flights are small anyway
        }

        if (_writeBioPeak > retained && LibCrypto.BIO_ctrl_pending(_writeBio) == 0)
        {
            IntPtr fresh = LibCrypto.BIO_new(MemoryMethod);
            if (fresh != IntPtr.Zero)
            {
                LibSsl.SSL_set0_wbio(_ssl, fresh); // frees the grown one
                _writeBio = fresh;
                _writeBioPeak = 0;
            }
        }

        if (_readBioPeak > retained && _readBioHeld == 0)
        {
            IntPtr fresh = LibCrypto.BIO_new(MemoryMethod);
            if (fresh != IntPtr.Zero)
            {
                LibSsl.SSL_set0_rbio(_ssl, fresh);
                _readBio = fresh;
                _readBioPeak = 0;
            }
        }
    }

    private static IntPtr NewMemoryBio(IntPtr freeOnFailure = default)
    {
        IntPtr bio = LibCrypto.BIO_new(MemoryMethod);
        if (bio != IntPtr.Zero)
        {
            return bio;
        }

        if (freeOnFailure != IntPtr.Zero)
        {
            LibCrypto.BIO_free(freeOnFailure);
        }

        throw OpenSslError.Exception("BIO_new(BIO_s_mem())");
    }
}
