using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Http2.Frames;
using Microsoft.AspNetCore.Http.Features;

namespace Http2Lab.AspNetCore.Features;

/// <summary>The connection and the stream's life: addresses, TLS, request id, abort and reset.</summary>
internal abstract partial class StreamFeatures : IHttpConnectionFeature, ITlsConnectionFeature, IHttpRequestIdentifierFeature,
    IHttpRequestLifetimeFeature, IHttpResetFeature
{
    private bool _addressesRead;
    private IPAddress? _remoteIpAddress;
    private IPAddress? _localIpAddress;
    private int _remotePort;
    private int _localPort;
    private string? _traceIdentifier;
    private CancellationToken? _requestAborted;
    private X509Certificate2? _clientCertificate;
    private bool _clientCertificateSet;

    string IHttpConnectionFeature.ConnectionId
    {
        get => Connection.ConnectionId;
        set => throw new NotSupportedException("The connection id is the server's.");
    }

    public IPAddress? RemoteIpAddress
    {
        get => ReadAddresses()._remoteIpAddress;
        set => ReadAddresses()._remoteIpAddress = value; // the forwarded-headers middleware sets the client's
    }

    public IPAddress? LocalIpAddress
    {
        get => ReadAddresses()._localIpAddress;
        set => ReadAddresses()._localIpAddress = value;
    }

    public int RemotePort
    {
        get => ReadAddresses()._remotePort;
        set => ReadAddresses()._remotePort = value;
    }

    public int LocalPort
    {
        get => ReadAddresses()._localPort;
        set => ReadAddresses()._localPort = value;
    }

    // ---- ITlsConnectionFeature (TLS connections only) ----

    public X509Certificate2? ClientCertificate
    {
        get => _clientCertificateSet ? _clientCertificate : Connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        set
        {
            _clientCertificate = value;
            _clientCertificateSet = true;
        }
    }

    // HTTP/2 forbids renegotiation (RFC 9113 §9.2.1): the certificate is whatever the handshake brought.
    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    // ---- IHttpRequestIdentifierFeature ----

    /// <summary>Connection id and stream id, as Kestrel forms it; made only when asked for.</summary>
    public string TraceIdentifier
    {
        get => _traceIdentifier ??= string.Create(CultureInfo.InvariantCulture, $"{Connection.ConnectionId}:{StreamContext.StreamId:X8}");
        set => _traceIdentifier = value;
    }

    // ---- IHttpRequestLifetimeFeature, IHttpResetFeature ----

    /// <summary>Fires when the client resets the stream (RST_STREAM) or the connection goes away.</summary>
    public CancellationToken RequestAborted
    {
        get => _requestAborted ?? Request.Aborted;
        set => _requestAborted = value;
    }

    /// <summary>Abandons the request: RST_STREAM INTERNAL_ERROR, as Kestrel sends for an aborted HTTP/2 request.</summary>
    public void Abort() => Reset((int)Http2ErrorCode.InternalError);

    /// <summary>Resets the stream with <paramref name="errorCode"/> (RFC 9113 §7 codes).</summary>
    public void Reset(int errorCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(errorCode);
        _completed = true;
        _ = ResetQuietlyAsync(StreamContext, (Http2ErrorCode)errorCode);
    }

    private static async Task ResetQuietlyAsync(Http2Lab.Http2.Application.Http2StreamContext stream, Http2ErrorCode code)
    {
        try
        {
            await stream.ResetAsync(code).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The connection is already gone; so is the stream.
        }
    }

    private StreamFeatures ReadAddresses()
    {
        if (!_addressesRead)
        {
            _addressesRead = true;
            if (Connection.RemoteEndPoint is IPEndPoint remote)
            {
                _remoteIpAddress = remote.Address;
                _remotePort = remote.Port;
            }

            if (Connection.LocalEndPoint is IPEndPoint local)
            {
                _localIpAddress = local.Address;
                _localPort = local.Port;
            }
        }

        return this;
    }

    private void ResetConnection()
    {
        _addressesRead = false;
        _remoteIpAddress = null;
        _localIpAddress = null;
        _remotePort = 0;
        _localPort = 0;
        _traceIdentifier = null;
        _requestAborted = null;
        _clientCertificate = null;
        _clientCertificateSet = false;
    }
}
