using System.Runtime.InteropServices;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// Certificates by SNI host name for the OpenSSL engine: each certificate has a context of its own, configured like
/// the endpoint's; OpenSSL's servername callback switches a session to the one <see cref="SniMap{T}"/> picks for the
/// name the client sent (no match: the session stays on the endpoint's context and certificate).
/// </summary>
internal sealed class OpenSslSniSelector(SniMap<SslContextHandle> contexts)
{
    private readonly SniMap<SslContextHandle> _contexts = contexts;

    // Static delegate: rooted for the process, so a session outliving its factory never calls a collected one.
    private static readonly ServerNameCallback ServerNameDelegate = SelectContext;
    private static readonly IntPtr ServerNamePointer = Marshal.GetFunctionPointerForDelegate(ServerNameDelegate);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ServerNameCallback(IntPtr ssl, IntPtr alert, IntPtr arg);

    /// <summary>Installs the callback on the endpoint's context.</summary>
    public void Install(SslContextHandle context)
    {
        IntPtr state = context.RootCallbackState(this);
        LibSsl.SSL_CTX_callback_ctrl(context, LibSsl.CtrlSetTlsExtServerNameCallback, ServerNamePointer);
        LibSsl.SSL_CTX_ctrl(context, LibSsl.CtrlSetTlsExtServerNameArg, new CLong(0), state);
    }

    private static int SelectContext(IntPtr ssl, IntPtr alert, IntPtr arg)
    {
        // An exception must not cross into OpenSSL: it would take the process down. On any trouble the session keeps
        // the endpoint's certificate, as for a name no entry matches.
        try
        {
            var selector = (OpenSslSniSelector)GCHandle.FromIntPtr(arg).Target!;
            IntPtr name = LibSsl.SSL_get_servername(ssl, LibSsl.TlsExtNameTypeHostName);
            if (selector._contexts.Find(name == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(name)) is { IsClosed: false } context)
            {
                LibSsl.SSL_set_SSL_CTX(ssl, context.DangerousGetHandle());
            }
        }
        catch (Exception)
        {
            // Keep the default context.
        }

        return LibSsl.TlsExtErrOk;
    }
}
