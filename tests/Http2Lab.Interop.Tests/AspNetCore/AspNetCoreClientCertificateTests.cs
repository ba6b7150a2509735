using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Http2Lab.Interop.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>
/// An ASP.NET Core application on Http2Lab sees the client's certificate as on Kestrel
/// (<c>HttpContext.Connection.ClientCertificate</c>, from <c>ITlsConnectionFeature</c>): on the SslStream dispatchers
/// and on Poll's OpenSSL engine, with .NET's HttpClient presenting the certificate.
/// </summary>
public sealed class AspNetCoreClientCertificateTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TestCertificates _certificates = new();

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    public async Task The_application_sees_the_certificate_the_client_presented(string dispatcher)
    {
        var (authority, _, _, client) = _certificates.Client("aspnetcore client");
        using X509Certificate2 clientCertificate = client;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            Args = [],
            ContentRootPath = AspNetCoreServer.ContentRoot,
        });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:h2:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2:Dispatcher"] = dispatcher,
            ["Http2Lab:Endpoints:h2:ClientCertificateMode"] = "AllowCertificate",
            ["Http2Lab:Endpoints:h2:ClientCertificateAuthorities"] = authority,
        });
        Http2Lab.AspNetCore.Http2LabWebHostBuilderExtensions.UseHttp2Lab(builder);
        await using WebApplication app = builder.Build();
        app.MapGet("/certificate", (HttpContext context) => context.Connection.ClientCertificate?.Subject ?? "none");
        await app.StartAsync().WaitAsync(Bound);
        try
        {
            var url = new Uri(Assert.Single(app.Urls));

            using var anonymous = new Http2TestClient(url, timeout: Bound);
            Assert.Equal("none", await anonymous.Client.GetStringAsync("/certificate"));

            using var presenting = new Http2TestClient(url, handler => handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ClientCertificates = [clientCertificate],
            }, Bound);
            Assert.Equal("CN=aspnetcore client", await presenting.Client.GetStringAsync("/certificate"));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    public void Dispose() => _certificates.Dispose();
}
