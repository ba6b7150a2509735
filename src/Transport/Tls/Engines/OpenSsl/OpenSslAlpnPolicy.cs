using System.Net.Security;
using System.Runtime.InteropServices;
using System.Text;

namespace Http2Lab.Transport.Tls.Engines.OpenSsl;

/// <summary>
/// The ALPN rule of one endpoint, as OpenSSL callbacks: the server picks the first of its ids the client offers; when
/// the protocol requires ALPN, a client offering none of them gets a fatal no_application_protocol alert (RFC 7301
/// §3.2), as from .NET's SslStream. A client offering no ALPN at all gets the same alert here, where SslStream would
/// complete the handshake and leave the refusal to <see cref="TlsServerSettings"/>: the outcome is the same, sooner.
/// </summary>
internal sealed class OpenSslAlpnPolicy
{
    // Static delegates: rooted for the process, so a session outliving its factory never calls a collected one.
    private static readonly AlpnSelectCallback SelectDelegate = Select;
    private static readonly ClientHelloCallback ClientHelloDelegate = CheckClientHello;
    private static readonly IntPtr SelectPointer = Marshal.GetFunctionPointerForDelegate(SelectDelegate);
    private static readonly IntPtr ClientHelloPointer = Marshal.GetFunctionPointerForDelegate(ClientHelloDelegate);

    // Why the last handshake step on this thread was refused. OpenSSL runs the callbacks synchronously inside
    // SSL_do_handshake on the caller's thread, so the engine clears this before the call and reads it after.
    [ThreadStatic]
    private static string? t_refusal;

    private readonly SslApplicationProtocol[] _protocols;
    private readonly byte[][] _ids;

    /// <summary>Creates the policy for the protocol's ALPN ids, in preference order (empty: ALPN not required).</summary>
    public OpenSslAlpnPolicy(IReadOnlyList<SslApplicationProtocol> protocols)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        _protocols = [.. protocols];
        _ids = [.. _protocols.Select(p => p.Protocol.ToArray())];
        if (_ids.Any(id => id.Length is 0 or > 255))
        {
            throw new ArgumentException("An ALPN id must be 1 to 255 octets long.", nameof(protocols));
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int AlpnSelectCallback(IntPtr ssl, IntPtr selected, IntPtr selectedLength, IntPtr offered, uint offeredLength, IntPtr arg);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int ClientHelloCallback(IntPtr ssl, IntPtr alert, IntPtr arg);

    /// <summary>Installs the callbacks on <paramref name="context"/> (nothing when ALPN is not required).</summary>
    public void Install(SslContextHandle context)
    {
        if (_ids.Length == 0)
        {
            return; // no callback: OpenSSL then ignores a client's ALPN offer and negotiates none
        }

        IntPtr state = context.RootCallbackState(this);
        LibSsl.SSL_CTX_set_client_hello_cb(context, ClientHelloPointer, state);
        LibSsl.SSL_CTX_set_alpn_select_cb(context, SelectPointer, state);
    }

    /// <summary>Forgets a refusal left by an earlier handshake step on this thread.</summary>
    public static void ClearRefusal() => t_refusal = null;

    /// <summary>Why the handshake step just run on this thread was refused for ALPN, or null.</summary>
    public static string? TakeRefusal()
    {
        string? refusal = t_refusal;
        t_refusal = null;
        return refusal;
    }

    /// <summary>The negotiated id <c>SSL_get0_alpn_selected</c> returned, as one of ours (no allocation).</summary>
    public SslApplicationProtocol Resolve(IntPtr data, uint length)
    {
        if (data == IntPtr.Zero || length == 0)
        {
            return default;
        }

        for (int i = 0; i < _ids.Length; i++)
        {
            if (_ids[i].Length == length && Matches(data, _ids[i]))
            {
                return _protocols[i];
            }
        }

        // Not ours (cannot happen: only Select chooses); report it as OpenSSL has it.
        var unknown = new byte[length];
        Marshal.Copy(data, unknown, 0, unknown.Length);
        return new SslApplicationProtocol(unknown);
    }

    private static int Select(IntPtr ssl, IntPtr selected, IntPtr selectedLength, IntPtr offered, uint offeredLength, IntPtr arg)
    {
        // An exception must not cross into OpenSSL: it would take the process down.
        try
        {
            var policy = (OpenSslAlpnPolicy)GCHandle.FromIntPtr(arg).Target!;
            foreach (byte[] id in policy._ids)
            {
                int offset = Find(offered, (int)offeredLength, id);
                if (offset >= 0)
                {
                    // Points into the client's list: OpenSSL copies the selection before the list goes away.
                    Marshal.WriteIntPtr(selected, offered + offset);
                    Marshal.WriteByte(selectedLength, (byte)id.Length);
                    return LibSsl.TlsExtErrOk;
                }
            }

            t_refusal = policy.Refusal(Describe(offered, (int)offeredLength));
        }
        catch (Exception ex)
        {
            t_refusal = $"ALPN selection failed: {ex.Message}";
        }

        return LibSsl.TlsExtErrAlertFatal;
    }

    private static int CheckClientHello(IntPtr ssl, IntPtr alert, IntPtr arg)
    {
        try
        {
            if (LibSsl.SSL_client_hello_get0_ext(ssl, LibSsl.AlpnExtensionType, out _, out _) == 1)
            {
                return LibSsl.ClientHelloSuccess; // offered: Select decides
            }

            var policy = (OpenSslAlpnPolicy)GCHandle.FromIntPtr(arg).Target!;
            t_refusal = policy.Refusal("none");
            Marshal.WriteInt32(alert, LibSsl.AlertNoApplicationProtocol);
        }
        catch (Exception ex)
        {
            t_refusal = $"ALPN check failed: {ex.Message}";
            Marshal.WriteInt32(alert, LibSsl.AlertInternalError);
        }

        return LibSsl.ClientHelloError;
    }

    private string Refusal(string offered) =>
        $"no common ALPN protocol: the server requires {string.Join(", ", _protocols.Select(p => $"'{p}'"))}, the client offered {offered}";

    /// <summary>The offset of <paramref name="id"/>'s octets in a wire-format protocol list, or -1.</summary>
    private static int Find(IntPtr list, int length, byte[] id)
    {
        int position = 0;
        while (position < length)
        {
            int entry = Marshal.ReadByte(list, position);
            if (entry == id.Length && position + 1 + entry <= length && Matches(list + position + 1, id))
            {
                return position + 1;
            }

            position += 1 + entry;
        }

        return -1;
    }

    private static bool Matches(IntPtr data, byte[] id)
    {
        for (int i = 0; i < id.Length; i++)
        {
            if (Marshal.ReadByte(data, i) != id[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The client's list as <c>'h2', 'http/1.1'</c>: printable ASCII, the first few ids (it goes into a log line).</summary>
    private static string Describe(IntPtr list, int length)
    {
        const int MaxIds = 8;
        var text = new StringBuilder();
        int position = 0;
        for (int ids = 0; position < length; ids++)
        {
            if (ids == MaxIds)
            {
                text.Append(", ...");
                break;
            }

            int entry = Marshal.ReadByte(list, position);
            int end = Math.Min(length, position + 1 + entry);
            text.Append(text.Length == 0 ? "'" : ", '");
            for (int i = position + 1; i < end; i++)
            {
                byte octet = Marshal.ReadByte(list, i);
                text.Append(octet is >= 0x20 and < 0x7F ? (char)octet : '?');
            }

            text.Append('\'');
            position = end;
        }

        return text.Length == 0 ? "none" : text.ToString();
    }
}
