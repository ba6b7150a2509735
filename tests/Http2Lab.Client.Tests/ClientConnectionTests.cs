using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary>Connection-level behaviour: ALPN, the server's GOAWAY during a run.</summary>
public sealed class ClientConnectionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_TLS_server_that_does_not_select_h2_is_a_clear_error(bool offersHttp11)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var key = RSA.Create(2048);
        using X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12(
            new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)).Export(X509ContentType.Pkcs12), null);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task server = Task.Run(async () =>
        {
            using TcpClient accepted = await listener.AcceptTcpClientAsync(cancel.Token);
            await using var tls = new SslStream(accepted.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate,
                    ApplicationProtocols = offersHttp11 ? [SslApplicationProtocol.Http11] : null,
                }, cancel.Token);
                await tls.ReadAtLeastAsync(new byte[1], 1, throwOnEndOfStream: false, cancel.Token);
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                // the client hangs up
            }
        });
        await using var client = new Http2Client(new Http2ClientOptions { ValidateCertificate = false });

        var error = await Assert.ThrowsAsync<Http2ClientException>(() => client.GetAsync($"https://127.0.0.1:{port}/", cancel.Token));

        Assert.Contains("ALPN", error.Message);
        Assert.Contains("h2", error.Message);
        await server.WaitAsync(cancel.Token);
    }

    [Fact]
    public async Task Requests_in_flight_finish_when_the_server_shuts_down_with_GOAWAY_and_later_ones_fail_clearly()
    {
        ClientTestServer server = await ClientTestServer.StartAsync(["Async-h2c"]);
        await using Http2Client client = new();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            // Requests on the wire when the GOAWAY comes are served (the server's graceful shutdown, RFC 9113 §6.8).
            // Once the connection is up, a request takes its stream id inside GetAsync: these ten precede the "ready" one.
            await (await client.GetAsync(server.Url("Async-h2c", "/"), cancel.Token)).DisposeAsync();
            Task<Http2ClientResponse>[] running = [.. Enumerable.Range(0, 10).Select(_ => client.GetAsync(server.Url("Async-h2c", "/slow?ms=1500"), cancel.Token))];
            await using (Http2ClientResponse ready = await client.GetAsync(server.Url("Async-h2c", "/"), cancel.Token))
            {
                Assert.Equal(200, ready.StatusCode);
            }

            Task stopping = server.DisposeAsync().AsTask();
            foreach (Task<Http2ClientResponse> request in running)
            {
                await using Http2ClientResponse response = await request;
                Assert.Equal(200, response.StatusCode);
            }

            await stopping.WaitAsync(cancel.Token);

            // The connection is gone and so is the server: a clear error, not a hang.
            var error = await Assert.ThrowsAsync<Http2ClientException>(() => client.GetAsync(server.Url("Async-h2c", "/"), cancel.Token));
            Assert.NotEmpty(error.Message);
            Assert.Equal(1, client.ConnectionsOpened);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Requests_beyond_the_server_MAX_CONCURRENT_STREAMS_wait_instead_of_being_refused()
    {
        await using ClientTestServer server = await ClientTestServer.StartAsync(["Async-h2c"], limits => limits.MaxConcurrentStreams = 5);
        await using var client = new Http2Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await (await client.GetAsync(server.Url("Async-h2c", "/"), cancel.Token)).DisposeAsync(); // the server's SETTINGS are in

        Http2ClientResponse[] responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => client.GetAsync(server.Url("Async-h2c", "/slow?ms=20"), cancel.Token)));

        Assert.All(responses, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(1, client.ConnectionsOpened); // none refused and retried elsewhere
        foreach (Http2ClientResponse response in responses)
        {
            await response.DisposeAsync();
        }
    }
}

