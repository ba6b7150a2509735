using System.Net;
using System.Net.Sockets;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Transport.Tests;

/// <summary>
/// Bad configuration, run the way the sample runs: <see cref="Http2LabHostRunner.RunAsync"/> must return non-zero
/// and print one line per problem that names the configuration key.
/// </summary>
public sealed class ConfigurationErrorTests(TestCertificates files) : IClassFixture<TestCertificates>
{
    [Fact]
    public async Task A_malformed_url_is_reported_with_its_key()
    {
        var (exitCode, lines) = await RunAsync(new() { ["Http2Lab:Endpoints:h2c:Url"] = "htp://x", ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo" });

        Assert.NotEqual(0, exitCode);
        Assert.Equal(["Http2Lab:Endpoints:h2c:Url: 'htp://x' is not a valid URL (expected http://host:port or https://host:port)"], lines);
    }

    [Theory]
    [InlineData("http://example.com:80")] // Host names are not resolved.
    [InlineData("http://127.0.0.1")] // Port is required.
    [InlineData("http://127.0.0.1:65536")]
    [InlineData("http://127.0.0.1:80/path")]
    [InlineData("ftp://127.0.0.1:21")]
    public async Task Other_invalid_urls_are_reported_with_their_key(string url)
    {
        var (exitCode, lines) = await RunAsync(new() { ["Http2Lab:Endpoints:h2c:Url"] = url, ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo" });

        Assert.NotEqual(0, exitCode);
        Assert.StartsWith($"Http2Lab:Endpoints:h2c:Url: '{url}' is not a valid URL", Assert.Single(lines));
    }

    [Fact]
    public async Task An_unknown_dispatcher_is_reported_with_the_known_ones()
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:h2c:Dispatcher"] = "Turbo",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Equal(["Http2Lab:Endpoints:h2c:Dispatcher: unknown dispatcher 'Turbo' (known: Async, Poll, SingleClient, ThreadPerConnection)"], lines);
    }

    [Fact]
    public async Task An_unknown_protocol_is_reported_with_its_key()
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2c:Protocol"] = "Gopher",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Equal(["Http2Lab:Endpoints:h2c:Protocol: unknown protocol 'Gopher' (known: Echo)"], lines);
    }

    [Fact]
    public async Task No_endpoints_is_reported()
    {
        var (exitCode, lines) = await RunAsync(new() { ["Http2Lab:HandshakeTimeout"] = "00:00:05" });

        Assert.NotEqual(0, exitCode);
        Assert.StartsWith("Http2Lab:Endpoints: no endpoints are configured", Assert.Single(lines));
    }

    [Fact]
    public async Task A_missing_certificate_file_is_reported_with_its_key()
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:h2:Certificate:Path"] = files.Missing,
        });

        Assert.NotEqual(0, exitCode);
        Assert.Equal([$"Http2Lab:Endpoints:h2:Certificate:Path: the file '{files.Missing}' does not exist"], lines);
    }

    [Fact]
    public async Task A_certificate_on_an_http_endpoint_is_ignored()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var (exitCode, lines) = await RunAsync(
            new()
            {
                ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
                ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo",
                ["Http2Lab:Endpoints:h2c:Certificate:Path"] = files.Missing,
            },
            stop.Token);

        Assert.Equal(0, exitCode);
        Assert.Empty(lines);
    }

    [Fact]
    public async Task A_wrong_pfx_password_is_reported_with_its_key()
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:h2:Certificate:Path"] = files.Pfx,
            ["Http2Lab:Endpoints:h2:Certificate:Password"] = "wrong",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Equal([$"Http2Lab:Endpoints:h2:Certificate:Password: the password does not open '{files.Pfx}'"], lines);
    }

    [Fact]
    public async Task A_port_in_use_is_reported_with_its_key()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2c:Url"] = $"http://127.0.0.1:{port}",
            ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo",
        });

        Assert.NotEqual(0, exitCode);
        Assert.StartsWith($"Http2Lab:Endpoints:h2c:Url: http://127.0.0.1:{port}: the address is already in use", Assert.Single(lines));
    }

    [Fact]
    public async Task Several_problems_are_reported_one_line_each()
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:a:Url"] = "nonsense",
            ["Http2Lab:Endpoints:a:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:b:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:b:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:b:Dispatcher"] = "Turbo",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Http2Lab:Endpoints:a:Url:", lines[0]);
        Assert.StartsWith("Http2Lab:Endpoints:b:Dispatcher:", lines[1]);
    }

    [Fact]
    public async Task An_unknown_tls_engine_is_reported_with_the_known_ones()
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2:Url"] = "https://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:h2:Dispatcher"] = "Poll",
            ["Http2Lab:Endpoints:h2:TlsEngine"] = "Schannel",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Single(lines);
        Assert.StartsWith("Http2Lab:Endpoints:h2:TlsEngine: unknown TLS engine 'Schannel' (known: ", lines[0]);
    }

    [Fact]
    public async Task When_a_later_endpoint_cannot_bind_the_earlier_ones_are_released()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var busyPort = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var host = TransportTestHost.Build(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:first:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:first:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:second:Url"] = $"http://127.0.0.1:{busyPort}",
            ["Http2Lab:Endpoints:second:Protocol"] = "Echo",
        });
        using (host)
        {
            var bound = host.Services.GetRequiredService<IBoundEndpoints>();

            var error = await Assert.ThrowsAsync<Http2LabConfigurationException>(() => host.StartAsync().WaitAsync(TransportTestHost.Timeout));

            Assert.Equal("Http2Lab:Endpoints:second:Url", error.Key);
            await Assert.ThrowsAsync<Http2LabConfigurationException>(() => bound.WhenBound.WaitAsync(TransportTestHost.Timeout));
            var firstPort = bound.Urls["first"].Port;
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, firstPort).WaitAsync(TransportTestHost.Timeout));
        }
    }

    private static async Task<(int ExitCode, List<string> Lines)> RunAsync(
        Dictionary<string, string?> settings, CancellationToken stop = default)
    {
        using var host = TransportTestHost.Build(settings);
        var error = new StringWriter();

        var exitCode = await Http2LabHostRunner.RunAsync(host, error, stop).WaitAsync(TransportTestHost.Timeout);

        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ToList();
        return (exitCode, lines);
    }
}
