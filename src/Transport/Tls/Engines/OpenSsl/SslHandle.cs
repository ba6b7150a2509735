using Microsoft.Win32.SafeHandles;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// An <c>SSL*</c> (with the two memory BIOs it owns), freed by <c>SSL_free</c> when the engine is disposed — or
/// finalized, if the loop forgot. Keeps its <see cref="SslContextHandle"/> alive until then.
/// </summary>
internal sealed class SslHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private SslContextHandle? _context;

    /// <summary>Used by the interop layer for <c>SSL_new</c>'s result.</summary>
    public SslHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>Holds a reference on <paramref name="context"/> until this session is freed.</summary>
    public void KeepAlive(SslContextHandle context)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        _context = context;
    }

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_free(handle);
        _context?.DangerousRelease();
        return true;
    }
}
