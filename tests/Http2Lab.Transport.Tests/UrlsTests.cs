using System.Net;
using System.Net.Sockets;
using System.Text;
using Http2Lab.Transport.Echo;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// Addresses the ASP.NET Core way when no <c>Http2Lab:Endpoints</c> are configured: <c>urls</c>, then
/// <c>ASPNETCORE_URLS</c>, then <c>http://localhost:5000</c>; localhost on both loopbacks; <c>*</c> dual-stack. In-process
/// generic hosts with in-memory configuration, so the process's own environment never leaks in (the environment is
/// read through <see cref="EnvironmentLookup"/>).
/// </summary>
public sealed class UrlsTests
{
    [Fact]
    public async Task Urls_are_bound_when_no_endpoints_are_configured()
    {
        var log = new TestLog();
        using var host = Build(new() { ["urls"] = " http://127.0.0.1:0 ; https://127.0.0.1:0;" }, log: log);

        var addresses = await StartAsync(host);

        Assert.Collection(
            addresses,
            a => Assert.Matches(@"^http://127\.0\.0\.1:[1-9]\d*/$", a.Value.ToString()),
            a => Assert.Matches(@"^https://127\.0\.0\.1:[1-9]\d*/$", a.Value.ToString()));
        Assert.Equal(["http://127.0.0.1:0", "https://127.0.0.1:0"], addresses.Select(a => a.Key));
        await EchoAsync(IPAddress.Loopback, addresses[0].Value.Port);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Debug
            && e.Message == "No Http2Lab:Endpoints are configured: binding urls ' http://127.0.0.1:0 ; https://127.0.0.1:0;'");
        await TransportTestHost.StopAndDisposeAsync(host);
    }

    [Fact]
    public async Task ASPNETCORE_URLS_is_bound_when_urls_is_not_configured()
    {
        using var host = Build([], environment: Variables(("ASPNETCORE_URLS", "http://127.0.0.1:0")));

        var address = Assert.Single(await StartAsync(host));

        Assert.Equal("http://127.0.0.1:0", address.Key);
        await EchoAsync(IPAddress.Loopback, address.Value.Port);
        await TransportTestHost.StopAndDisposeAsync(host);
    }

    [Fact]
    public async Task Urls_in_configuration_win_over_ASPNETCORE_URLS()
    {
        using var host = Build(
            new() { ["urls"] = "http://127.0.0.1:0" },
            environment: Variables(("ASPNETCORE_URLS", "http://[::1]:0")));

        var address = Assert.Single(await StartAsync(host));

        Assert.Equal("127.0.0.1", address.Value.Host);
        await TransportTestHost.StopAndDisposeAsync(host);
    }

    [Fact]
    public async Task Configured_endpoints_win_over_urls_with_a_warning()
    {
        var log = new TestLog();
        using var host = Build(
            new()
            {
                ["urls"] = "http://127.0.0.1:0",
                ["Http2Lab:Endpoints:mine:Url"] = "http://127.0.0.1:0",
                ["Http2Lab:Endpoints:mine:Protocol"] = "Echo",
            },
            log: log);

        var address = Assert.Single(await StartAsync(host));

        Assert.Equal("mine", address.Key);
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("Ignoring urls 'http://127.0.0.1:0': endpoints are configured under Http2Lab:Endpoints, and those are used", warning.Message);
        await TransportTestHost.StopAndDisposeAsync(host);
    }

    [Fact]
    public async Task With_nothing_configured_localhost_5000_is_bound_or_the_error_names_it()
    {
        var log = new TestLog();
        using var host = Build([], log: log);

        var start = await Record.ExceptionAsync(() => host.StartAsync().WaitAsync(TransportTestHost.Timeout));

        var info = Assert.Single(log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("No endpoints", StringComparison.Ordinal));
        Assert.Equal("No endpoints are configured (Http2Lab:Endpoints, urls or ASPNETCORE_URLS): binding to http://localhost:5000 by default", info.Message);
        if (start is null)
        {
            var addresses = host.Services.GetRequiredService<IBoundEndpoints>().Addresses;
            Assert.Equal("http://localhost:5000", addresses[0].Key);
            Assert.Equal(new Uri("http://127.0.0.1:5000"), addresses[0].Value);
            await EchoAsync(IPAddress.Loopback, 5000);
            await TransportTestHost.StopAndDisposeAsync(host);
        }
        else
        {
            // Port 5000 is taken on this machine: the error says which address and where it came from.
            var error = Assert.IsType<Http2LabConfigurationException>(start);
            Assert.Equal("urls", error.Key);
            Assert.Matches(@"^urls: http://(127\.0\.0\.1|\[::1\]):5000: the address is already in use", error.Message);
        }
    }

    [Fact]
    public async Task Localhost_listens_on_both_loopbacks_on_one_port_or_on_127_0_0_1_alone()
    {
        var log = new TestLog();
        using var host = Build(new() { ["urls"] = "http://localhost:0" }, log: log);

        var addresses = await StartAsync(host);

        var port = addresses[0].Value.Port;
        Assert.Equal(new Uri($"http://127.0.0.1:{port}"), addresses[0].Value);
        await EchoAsync(IPAddress.Loopback, port);
        if (Http2Lab.Testing.Loopback.CanBindIPv6())
        {
            Assert.Equal(2, addresses.Count);
            Assert.Equal("http://localhost:0", addresses[1].Key);
            Assert.Equal(new Uri($"http://[::1]:{port}"), addresses[1].Value);
            await EchoAsync(IPAddress.IPv6Loopback, port);
        }
        else
        {
            // No IPv6 loopback on this machine: 127.0.0.1 alone, and a Debug line says why.
            Assert.Single(addresses);
            Assert.Contains(log.Entries, e => e.Level == LogLevel.Debug
                && e.Message.StartsWith($"Http2Lab endpoint 'http://localhost:0': not listening on http://[::1]:{port} (", StringComparison.Ordinal));
        }

        Assert.Equal(addresses[0].Value, host.Services.GetRequiredService<IBoundEndpoints>().Urls["http://localhost:0"]);
        await TransportTestHost.StopAndDisposeAsync(host);
    }

    [Fact]
    public async Task A_localhost_port_taken_on_the_IPv6_loopback_is_an_error_or_ignored_without_IPv6()
    {
        var port = FreePort();
        using var squatter = Http2Lab.Testing.Loopback.CanBindIPv6() ? new TcpListener(IPAddress.IPv6Loopback, port) : null;
        squatter?.Start();
        using var host = Build(new() { ["urls"] = $"http://localhost:{port}" });

        var start = await Record.ExceptionAsync(() => host.StartAsync().WaitAsync(TransportTestHost.Timeout));

        if (squatter is not null)
        {
            // Clients of localhost that try ::1 first would reach the other server: not something to skip quietly.
            var error = Assert.IsType<Http2LabConfigurationException>(start);
            Assert.StartsWith($"urls: http://[::1]:{port}: the address is already in use", error.Message);
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TransportTestHost.Timeout));
        }
        else
        {
            Assert.Null(start);
            Assert.Single(host.Services.GetRequiredService<IBoundEndpoints>().Addresses);
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Theory]
    [InlineData("http://*:0")]
    [InlineData("http://+:0")]
    [InlineData("http://[::]:0")]
    public async Task Wildcards_listen_dual_stack(string url)
    {
        using var host = Build(new() { ["urls"] = url });

        var address = Assert.Single(await StartAsync(host));

        Assert.Equal(Socket.OSSupportsIPv6 ? "[::]" : "0.0.0.0", address.Value.Host);
        await EchoAsync(IPAddress.Loopback, address.Value.Port); // IPv4 reaches the [::] socket: IPV6_V6ONLY is off
        if (Http2Lab.Testing.Loopback.CanBindIPv6())
        {
            await EchoAsync(IPAddress.IPv6Loopback, address.Value.Port);
        }

        await TransportTestHost.StopAndDisposeAsync(host);
    }

    [Fact]
    public async Task A_bad_url_in_urls_names_urls_and_says_what_is_wrong()
    {
        var (exitCode, lines) = await RunAsync(new() { ["urls"] = "http://127.0.0.1:0;ftp://127.0.0.1:21;http://127.0.0.1:8080/api" });

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Equal(
            [
                "urls: 'ftp://127.0.0.1:21' is not a valid URL: the scheme 'ftp' is not supported (use http or https)",
                "urls: 'http://127.0.0.1:8080/api' is not a valid URL: a path ('/api') is not allowed: an endpoint is an address, not a route",
            ],
            lines);
    }

    [Fact]
    public async Task A_bad_url_in_ASPNETCORE_URLS_names_the_variable()
    {
        var (exitCode, lines) = await RunAsync([], Variables(("ASPNETCORE_URLS", "http://example.com")));

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Equal(["ASPNETCORE_URLS: 'http://example.com' is not a valid URL: 'example.com' is a host name: use an IP address, localhost, or * for every address (host names are not resolved)"], lines);
    }

    [Fact]
    public async Task The_same_address_twice_in_urls_is_one_line_and_a_missing_port_means_80()
    {
        var (exitCode, lines) = await RunAsync(new() { ["urls"] = "http://127.0.0.1;http://localhost:80" });

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Equal(["urls: 'http://127.0.0.1' and 'http://localhost:80' both bind 127.0.0.1:80"], lines);
    }

    private static IHost Build(Dictionary<string, string?> settings, TestLog? log = null, EnvironmentLookup? environment = null) =>
        TransportTestHost.Build(settings, log, services =>
        {
            // Endpoints made from urls use the default protocol, Http2, which lives in another assembly: echo stands in.
            services.AddHttp2LabProtocol("Http2", (_, endpoint) => new EchoProtocol().CreateFactory("Http2", endpoint, "urls"));
            services.AddSingleton(environment ?? Variables());
        });

    private static EnvironmentLookup Variables(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static async Task<IReadOnlyList<KeyValuePair<string, Uri>>> StartAsync(IHost host)
    {
        await host.StartAsync().WaitAsync(TransportTestHost.Timeout);
        var bound = host.Services.GetRequiredService<IBoundEndpoints>();
        await bound.WhenBound.WaitAsync(TransportTestHost.Timeout);
        return bound.Addresses;
    }

    private static async Task<(int ExitCode, List<string> Lines)> RunAsync(Dictionary<string, string?> settings, EnvironmentLookup? environment = null)
    {
        using var host = Build(settings, environment: environment);
        var error = new StringWriter();

        var exitCode = await Http2LabHostRunner.RunAsync(host, error).WaitAsync(TransportTestHost.Timeout);

        return (exitCode, error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList());
    }

    /// <summary>Connects to <paramref name="address"/>:<paramref name="port"/> and expects a line back from the echo protocol.</summary>
    private static async Task EchoAsync(IPAddress address, int port)
    {
        using var timeout = new CancellationTokenSource(TransportTestHost.Timeout);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address, port, timeout.Token);
        await socket.SendAsync("ping\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
        var buffer = new byte[16];
        var received = 0;
        while (received < 6)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, n);
            received += n;
        }

        Assert.Equal("ping\r\n", Encoding.ASCII.GetString(buffer, 0, received));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
