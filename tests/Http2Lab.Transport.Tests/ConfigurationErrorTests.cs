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
        Assert.Equal(["Http2Lab:Endpoints:h2c:Url: 'htp://x' is not a valid URL: the scheme 'htp' is not supported (use http or https)"], lines);
    }

    [Theory]
    [InlineData("http://example.com:80")] // Host names are not resolved.
    [InlineData("http://unix:tmp/http2lab.sock")] // Not an absolute path.
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

    [Theory]
    [InlineData("Http2Lab:HandshakeTimeout", "banana", "'banana' is not a duration (hh:mm:ss")]
    [InlineData("Http2Lab:ShutdownTimeout", "5s", "'5s' is not a duration (hh:mm:ss")]
    [InlineData("Http2Lab:Limits:MaxConnections", "abc", "'abc' is not a whole number from -2147483648 to 2147483647")]
    [InlineData("Http2Lab:Limits:MaxConnections", "99999999999", "'99999999999' is not a whole number from -2147483648 to 2147483647")]
    [InlineData("Http2Lab:Endpoints:h2c:NoDelay", "maybe", "'maybe' is not true or false")]
    [InlineData("Http2Lab:Endpoints:h2c:MaxClients", "1e3", "'1e3' is not a whole number")]
    [InlineData("Http2Lab:Endpoints:h2c:PollTimeout", "soon", "'soon' is not a duration")]
    public async Task A_value_of_the_wrong_type_is_one_line_naming_its_key(string key, string value, string problem)
    {
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo",
            [key] = value,
        });

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.StartsWith($"{key}: {problem}", Assert.Single(lines));
    }

    [Fact]
    public async Task Without_the_runner_a_wrong_type_is_an_exception_whose_message_is_the_line()
    {
        // Inside Endpoints:<name> the binder itself would swallow the error and drop the endpoint.
        using var host = TransportTestHost.Build(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:h2c:NoDelay"] = "maybe",
        });

        var error = await Assert.ThrowsAsync<Http2LabConfigurationException>(() => host.StartAsync().WaitAsync(TransportTestHost.Timeout));

        Assert.Equal("Http2Lab:Endpoints:h2c:NoDelay", error.Key);
        Assert.Equal("Http2Lab:Endpoints:h2c:NoDelay: 'maybe' is not true or false", error.Message);
    }

    [Fact]
    public async Task An_empty_value_for_an_optional_setting_is_not_a_type_error()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var (exitCode, lines) = await RunAsync(
            new()
            {
                ["Http2Lab:Endpoints:h2c:Url"] = "http://127.0.0.1:0",
                ["Http2Lab:Endpoints:h2c:Protocol"] = "Echo",
                ["Http2Lab:Endpoints:h2c:PollTimeout"] = "",
                ["Http2Lab:Limits:MaxConnections"] = "",
            },
            stop.Token);

        Assert.Equal(0, exitCode);
        Assert.Empty(lines);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{0}", "http://127.0.0.1:{0}", "127.0.0.1")]
    [InlineData("https://127.0.0.1:{0}", "http://127.0.0.1:{0}/", "127.0.0.1")] // The scheme does not matter, the port does.
    [InlineData("http://*:{0}", "http://127.0.0.1:{0}", "127.0.0.1")] // * is every address, 127.0.0.1 included.
    [InlineData("http://0.0.0.0:{0}", "http://localhost:{0}", "127.0.0.1")]
    [InlineData("http://localhost:{0}", "http://[::1]:{0}", "[::1]")]
    [InlineData("http://[::]:{0}", "http://+:{0}", "*")]
    public async Task Two_endpoints_on_the_same_port_are_one_line_naming_both_keys(string a, string b, string host)
    {
        const int port = 8080; // never bound: the check runs before binding
        var (exitCode, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:a:Url"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, a, port),
            ["Http2Lab:Endpoints:a:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:b:Url"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, b, port),
            ["Http2Lab:Endpoints:b:Protocol"] = "Echo",
        });

        Assert.Equal(Http2LabHostRunner.ConfigurationErrorExitCode, exitCode);
        Assert.Equal([$"Http2Lab:Endpoints:a:Url and Http2Lab:Endpoints:b:Url both bind {host}:{port}"], lines);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.2:8080")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8081")]
    [InlineData("http://0.0.0.0:8080", "http://[::1]:8080")] // IPv4-any and an IPv6 address do not overlap.
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0")] // Port 0: two different free ports.
    public async Task Endpoints_that_do_not_share_an_address_and_port_are_not_reported(string a, string b)
    {
        var (_, lines) = await RunAsync(new()
        {
            ["Http2Lab:Endpoints:a:Url"] = a,
            ["Http2Lab:Endpoints:a:Protocol"] = "Echo",
            ["Http2Lab:Endpoints:a:Dispatcher"] = "Turbo", // stops the run at validation, whatever the ports
            ["Http2Lab:Endpoints:b:Url"] = b,
            ["Http2Lab:Endpoints:b:Protocol"] = "Echo",
        });

        Assert.Equal(["Http2Lab:Endpoints:a:Dispatcher: unknown dispatcher 'Turbo' (known: Async, Poll, SingleClient, ThreadPerConnection)"], lines);
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
