using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Kestrel baseline for bench/run.sh: HTTP/2 only, h2c (prior knowledge) and TLS (ALPN h2) on loopback,
// serving GET / -> "Hello World\n" text/plain like Http2Lab's sample (which also sends content-length).
// Usage: KestrelBaseline [--h2c PORT] [--h2 PORT] [--cert CERT.pem --key KEY.pem]
//   ports default to 5080 and 5443 (0 disables an endpoint); without --cert, a self-signed certificate made at start.
int h2cPort = PortArg(args, "--h2c", 5080);
int h2Port = PortArg(args, "--h2", 5443);
string? certPath = StringArg(args, "--cert");
string? keyPath = StringArg(args, "--key");
if (keyPath is not null && certPath is null)
{
    Console.Error.WriteLine("--key needs --cert");
    return 2;
}

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
        X509Certificate2 certificate = certPath is null ? CreateSelfSignedCertificate() : LoadPemCertificate(certPath, keyPath);
        kestrel.Listen(IPAddress.Loopback, h2Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        });
    }
});

WebApplication app = builder.Build();
byte[] hello = "Hello World\n"u8.ToArray();
byte[] chunk = new byte[64 * 1024];
app.Run(context =>
{
    HttpResponse response = context.Response;
    if (context.Request.Path == "/" && HttpMethods.IsGet(context.Request.Method))
    {
        response.ContentType = "text/plain";
        response.ContentLength = hello.Length;
        return response.Body.WriteAsync(hello, 0, hello.Length);
    }

    // bench/transfer.sh: the same bulk routes as Http2Lab's sample.
    if (context.Request.Path.StartsWithSegments("/bytes", out PathString rest) && long.TryParse(rest.Value?.TrimStart('/'), out long size))
    {
        return SendBytesAsync(response, size, chunk);
    }

    if (context.Request.Path == "/echo" && HttpMethods.IsPost(context.Request.Method))
    {
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = null;
        response.ContentType = context.Request.ContentType ?? "application/octet-stream";
        return context.Request.Body.CopyToAsync(response.Body, 64 * 1024, context.RequestAborted);
    }

    response.StatusCode = StatusCodes.Status404NotFound;
    return Task.CompletedTask;
});

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"KestrelBaseline listening: h2c={h2cPort} h2={h2Port}"));
app.Run();
return 0;

static async Task SendBytesAsync(HttpResponse response, long size, byte[] chunk)
{
    response.ContentType = "application/octet-stream";
    response.ContentLength = size;
    for (long left = size; left > 0; left -= chunk.Length)
    {
        await response.Body.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)));
    }
}

static int PortArg(string[] args, string name, int fallback)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static string? StringArg(string[] args, string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

// A PEM certificate and its PEM private key (or both in one file when keyPath is null), e.g. bench/run.sh's shared
// certificate. Re-imported through PKCS#12 like the self-signed one (an ephemeral PEM key is refused by SslStream on Windows).
static X509Certificate2 LoadPemCertificate(string certPath, string? keyPath)
{
    using X509Certificate2 pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
    return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
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
