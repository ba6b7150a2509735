using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// An <c>SSL_CTX*</c>, freed when the factory is disposed (or finalized) and every session made from it is gone: each
/// <see cref="SslHandle"/> holds a reference, because its <c>SSL*</c> still calls the context's callbacks.
/// </summary>
internal sealed class SslContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private GCHandle _callbackState;

    /// <summary>Used by the interop layer for <c>SSL_CTX_new</c>'s result.</summary>
    public SslContextHandle()
        : base(ownsHandle: true)
    {
    }

    /// <summary>
    /// Roots <paramref name="state"/> for the context's lifetime and returns the pointer its callbacks receive as
    /// their <c>arg</c>; released only after the last session, so a callback never sees a freed handle.
    /// </summary>
    public IntPtr RootCallbackState(object state)
    {
        if (_callbackState.IsAllocated)
        {
            throw new InvalidOperationException("The context already has callback state.");
        }

        _callbackState = GCHandle.Alloc(state);
        return GCHandle.ToIntPtr(_callbackState);
    }

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_CTX_free(handle);
        if (_callbackState.IsAllocated)
        {
            _callbackState.Free();
        }

        return true;
    }
}
