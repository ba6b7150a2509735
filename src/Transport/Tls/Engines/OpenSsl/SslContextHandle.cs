using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// An <c>SSL_CTX*</c>, freed when the factory is disposed (or finalized) and every session made from it is gone: each
/// <see cref="SslHandle"/> holds a reference, because its <c>SSL*</c> still calls the context's callbacks.
/// </summary>
internal sealed class SslContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly List<GCHandle> _callbackStates = [];
    private readonly List<SafeHandle> _dependents = [];

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
        var root = GCHandle.Alloc(state);
        _callbackStates.Add(root);
        return GCHandle.ToIntPtr(root);
    }

    /// <summary>
    /// Keeps <paramref name="dependent"/> (a context a session may switch to, for SNI) until this context is released,
    /// which is after the last session made from this one: a switched session never outlives its new context's callbacks.
    /// </summary>
    public void KeepAlive(SafeHandle dependent) => _dependents.Add(dependent);

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_CTX_free(handle);
        foreach (var root in _callbackStates)
        {
            root.Free();
        }

        foreach (var dependent in _dependents)
        {
            dependent.Dispose();
        }

        return true;
    }
}
