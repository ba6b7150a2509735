using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Kestrel baseline for bench/h2load-compare.sh: HTTP/2 only, h2c (prior knowledge) and TLS (ALPN h2) on loopback,
// serving GET / -> "Hello World\n" text/plain like Http2Lab's sample (which also sends content-length).
// Usage: KestrelBaseline [--h2c PORT] [--h2 PORT]   (defaults 5080 and 5443; 0 disables an endpoint)
int h2cPort = PortArg(args, "--h2c", 5080);
int h2Port = PortArg(args, "--h2", 5443);

WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseKestrelCore();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    if (h2cPort > 0)
    {
        kestrel.Listen(IPAddress.Loopback, h2cPort, listen => listen.Protocols = HttpProtocols.Http2);
    }

    if (h2Port > 0)
    {
        X509Certificate2 certificate = CreateSelfSignedCertificate();
        kestrel.Listen(IPAddress.Loopback, h2Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        });
    }
});

WebApplication app = builder.Build();
byte[] hello = "Hello World\n"u8.ToArray();
app.Run(context =>
{
    HttpResponse response = context.Response;
    if (context.Request.Path == "/" && HttpMethods.IsGet(context.Request.Method))
    {
        response.ContentType = "text/plain";
        response.ContentLength = hello.Length;
        return response.Body.WriteAsync(hello, 0, hello.Length);
    }

    response.StatusCode = StatusCodes.Status404NotFound;
    return Task.CompletedTask;
});

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"KestrelBaseline listening: h2c={h2cPort} h2={h2Port}"));
app.Run();

static int PortArg(string[] args, string name, int fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

// The same kind of certificate as Http2Lab's development certificate: ECDSA P-256, CN=localhost, 127.0.0.1 SAN.
static X509Certificate2 CreateSelfSignedCertificate()
{
    using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
    var names = new SubjectAlternativeNameBuilder();
    names.AddDnsName("localhost");
    names.AddIpAddress(IPAddress.Loopback);
    request.CertificateExtensions.Add(names.Build());
    request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
    request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
    DateTimeOffset now = DateTimeOffset.UtcNow;
    using X509Certificate2 created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
    return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
}
