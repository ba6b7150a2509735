using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Http2Lab.Http2.Application;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests.Application;

/// <summary><see cref="Http2Request.Connection"/>: addresses, and over TLS what the handshake negotiated.</summary>
public sealed class ConnectionInfoTests
{
    [Fact]
    public async Task Over_tls_a_handler_sees_addresses_protocol_cipher_alpn_and_sni()
    {
        TaskCompletionSource<Http2ConnectionInfo> seen = Bounded.Source<Http2ConnectionInfo>();
        await using AppHost host = await AppHost.StartAsync(tls: true, routes: router => router.MapGet("/conn", (request, response) =>
        {
            seen.TrySetResult(request.Connection);
            Assert.Same(request.Connection, request.Connection); // made once, not per access
            return response.WriteAsync("ok").AsTask();
        }));
        // "localhost" resolves to 127.0.0.1 and goes out as the SNI host name.
        var url = new UriBuilder(host.H2!) { Host = "localhost" }.Uri;
        using var client = new Http2TestClient(url);

        HttpResponseMessage response = await client.Client.SendAsync(Http2TestClient.Request(HttpMethod.Get, "/conn"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Http2ConnectionInfo info = await Bounded.Within(seen.Task, "the handler");
        Assert.True(info.IsTls);
        Assert.True(info.TlsProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, info.TlsProtocol.ToString());
        Assert.NotNull(info.CipherSuite);
        Assert.Equal("h2", info.ApplicationProtocol);
        Assert.Equal("localhost", info.HostName);
        var remote = Assert.IsType<IPEndPoint>(info.RemoteEndPoint);
        var local = Assert.IsType<IPEndPoint>(info.LocalEndPoint);
        Assert.Equal(IPAddress.Loopback, remote.Address.MapToIPv4());
        Assert.Equal(host.H2!.Port, local.Port);
        Assert.False(string.IsNullOrEmpty(info.Id));
    }

    [Fact]
    public async Task Over_h2c_there_is_no_tls_and_the_addresses_are_those_of_the_socket()
    {
        TaskCompletionSource<Http2ConnectionInfo> seen = Bounded.Source<Http2ConnectionInfo>();
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/conn", (request, response) =>
        {
            seen.TrySetResult(request.Connection);
            return response.WriteAsync("ok").AsTask();
        }));
        await using RawH2Client client = await host.ConnectAsync();

        await client.SendAndReadAsync("GET", "/conn");

        Http2ConnectionInfo info = await Bounded.Within(seen.Task, "the handler");
        Assert.False(info.IsTls);
        Assert.Equal(SslProtocols.None, info.TlsProtocol);
        Assert.Null(info.ApplicationProtocol);
        Assert.Null(info.HostName);
        Assert.Equal(host.H2c.Port, Assert.IsType<IPEndPoint>(info.LocalEndPoint).Port);
    }
}
