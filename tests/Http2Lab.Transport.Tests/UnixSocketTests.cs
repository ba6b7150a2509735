using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Http2Lab.Transport.Tls;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// <c>http://unix:/path</c> endpoints on every dispatcher: a Unix domain socket in a temp directory serves the echo
/// protocol (also behind TLS), a stale socket file is replaced at bind, a live server's is not, and the file is gone
/// after stop. Connection logs and the connection list cope with a client that has no address.
/// </summary>
public sealed class UnixSocketTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("h2l-uds-").FullName;

    public static TheoryData<string> Dispatchers => ["Async", "SingleClient", "ThreadPerConnection", "Poll"];

    [Theory]
    [MemberData(nameof(Dispatchers))]
    public async Task An_http_unix_url_serves_on_the_socket_file_and_removes_it_at_stop(string dispatcher)
    {
        string path = Path.Combine(_directory, "echo.sock");
        var log = new TestLog();
        var host = TransportTestHost.Build(Settings(dispatcher, $"http://unix:{path}"), log);
        Uri url;
        try
        {
            url = await TransportTestHost.StartAsync(host, "uds");
            Assert.True(File.Exists(path));

            await using (var client = await ConnectAsync(path))
            {
                await client.SendAsync("over unix\r\n");
                Assert.Equal("over unix", await client.ReadLineAsync());
                var bound = (IBoundEndpoints)host.Services.GetService(typeof(IBoundEndpoints))!;
                Assert.True(bound.TryGetDispatcher("uds", out var running));
                Assert.NotEmpty(running.GetConnections()); // the list copes with a client that has no address
            }
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }

        Assert.Equal($"http://unix:{path}", url.OriginalString);
        Assert.Contains(log.Messages, m => m.Contains($"listening on http://unix:{path}", StringComparison.Ordinal));
        Assert.False(File.Exists(path), "the socket file is left behind after stop");
    }

    [Theory]
    [InlineData("Async", "")]
    [InlineData("ThreadPerConnection", "")]
    [InlineData("Poll", "OpenSsl")]
    [InlineData("Poll", "SslStream")]
    public async Task An_https_unix_url_serves_tls_on_the_socket_file(string dispatcher, string engine)
    {
        string path = Path.Combine(_directory, "tls.sock");
        var settings = Settings(dispatcher, $"https://unix:{path}");
        if (engine.Length > 0)
        {
            settings["Http2Lab:Endpoints:uds:TlsEngine"] = engine;
        }

        var host = TransportTestHost.Build(settings);
        try
        {
            await TransportTestHost.StartAsync(host, "uds");
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            using var timeout = new CancellationTokenSource(TransportTestHost.Timeout);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            await using var client = new LineClient(socket, tls);
            string pinned = DevelopmentCertificate.Get().Thumbprint;
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == pinned,
            }, timeout.Token);

            await client.SendAsync("tls over unix\r\n");
            Assert.Equal("tls over unix", await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task A_unix_url_in_urls_is_bound_as_an_endpoint_named_by_it()
    {
        string path = Path.Combine(_directory, "urls.sock");
        string url = $"http://unix:{path}";
        var host = TransportTestHost.Build(new Dictionary<string, string?> { ["urls"] = url }, services: s => s.AddHttp2LabProtocol(
            "Http2", (_, _) => _ => new Http2Lab.Transport.Echo.EchoProcessor(Http2Lab.Transport.Echo.EchoMode.Lines, 16 * 1024)));
        try
        {
            await TransportTestHost.StartAsync(host, url);
            await using var client = await ConnectAsync(path);
            await client.SendAsync("from urls\r\n");
            Assert.Equal("from urls", await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced_at_bind()
    {
        string path = Path.Combine(_directory, "stale.sock");
        // A server that died: its file stays, nobody listens. (.NET removes the file of a socket it disposes, so the
        // stale file comes from another process.)
        using (var python = System.Diagnostics.Process.Start("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]))
        {
            Assert.True(python.WaitForExit(TransportTestHost.Timeout) && python.ExitCode == 0, "python3 could not bind the socket");
        }

        Assert.True(File.Exists(path));
        var host = TransportTestHost.Build(Settings("Async", $"http://unix:{path}"));
        try
        {
            await TransportTestHost.StartAsync(host, "uds");
            await using var client = await ConnectAsync(path);
            await client.SendAsync("fresh\r\n");
            Assert.Equal("fresh", await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task A_socket_file_a_live_server_listens_on_is_a_start_up_error_naming_the_url_key()
    {
        string path = Path.Combine(_directory, "live.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(path));
        live.Listen();
        using var host = TransportTestHost.Build(Settings("Poll", $"http://unix:{path}"));
        var error = new StringWriter();

        int exitCode = await Http2LabHostRunner.RunAsync(host, error).WaitAsync(TransportTestHost.Timeout);

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Equal([$"Http2Lab:Endpoints:uds:Url: http://unix:{path}: another server is listening on '{path}'"],
            error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.True(File.Exists(path), "the live server's socket file was removed");
    }

    [Fact]
    public async Task Two_endpoints_on_one_socket_file_are_reported_with_both_keys()
    {
        string path = Path.Combine(_directory, "twice.sock");
        var settings = Settings("Async", $"http://unix:{path}");
        settings["Http2Lab:Endpoints:other:Url"] = $"https://unix:{path}";
        settings["Http2Lab:Endpoints:other:Protocol"] = "Echo";
        using var host = TransportTestHost.Build(settings);
        var error = new StringWriter();

        int exitCode = await Http2LabHostRunner.RunAsync(host, error).WaitAsync(TransportTestHost.Timeout);

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Contains($"both bind unix:{path}", error.ToString());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Dictionary<string, string?> Settings(string dispatcher, string url) => new()
    {
        ["Http2Lab:Endpoints:uds:Url"] = url,
        ["Http2Lab:Endpoints:uds:Protocol"] = "Echo",
        ["Http2Lab:Endpoints:uds:Dispatcher"] = dispatcher,
        ["Http2Lab:Endpoints:uds:Loops"] = "2", // Poll: one listener handing connections to the other loop
    };

    private static async Task<LineClient> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = new CancellationTokenSource(TransportTestHost.Timeout);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
        return new LineClient(socket, new NetworkStream(socket, ownsSocket: false));
    }
}
