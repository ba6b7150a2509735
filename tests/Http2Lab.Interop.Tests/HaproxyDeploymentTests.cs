using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// deploy/: HAProxy (the Debian package) in front of several instances of the built sample, run with the very
/// configuration files in deploy/ (only the addresses and the <c>server</c> lines are the test's own). Loopback only.
/// A missing haproxy fails the test saying how to install it; ./test.sh installs it.
/// </summary>
public sealed partial class HaproxyDeploymentTests(ITestOutputHelper output) : IDisposable
{
    private const int Requests = 50_000;

    /// <summary>The instances' <c>Http2Lab:ShutdownTimeout</c>; a drain takes at most this plus the 1 s PING round.</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-haproxy-").FullName;
    private readonly List<IDisposable> _processes = [];

    [Fact]
    public async Task Draining_one_of_three_instances_under_load_loses_no_request_through_haproxy()
    {
        string haproxy = Haproxy.Require();
        string h2load = ExternalTool.H2load();
        string curl = ExternalTool.Curl();

        // The instance drained below (s2) logs its connections at Debug, where the GOAWAY steps show.
        (RunningSample Process, int Port)[] instances = await StartInstancesAsync(
            3, "h2c", @"http://127\.0\.0\.1:(?<port>\d+)", i => i == 1 ? ["--Logging:LogLevel:Http2Lab=Debug"] : []);
        string pem = WriteSelfSignedPem();
        Haproxy proxy = await StartHaproxyAsync(
            haproxy, "haproxy.cfg", [.. instances.Select(i => i.Port)],
            ports => [$"HTTP2LAB_H2C_BIND=127.0.0.1:{ports[0]}", $"HTTP2LAB_TLS_BIND=127.0.0.1:{ports[1]}", $"HTTP2LAB_PEM={pem}"],
            frontendPorts: 2);
        string h2c = $"http://127.0.0.1:{proxy.FrontendPorts[0]}";
        string tls = $"https://127.0.0.1:{proxy.FrontendPorts[1]}";

        // Both frontends, and the route the health checks use.
        ToolResult overTls = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "10", "-k", "--http2", "-w", "%{http_version}", tls + "/healthz"], TimeSpan.FromSeconds(20));
        Assert.True(overTls.ExitCode == 0 && overTls.StdOut == "ok\n2", "TLS frontend (ALPN h2):\n" + overTls.Describe() + "\n" + proxy.Output);
        ToolResult overH2c = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "10", "--http2-prior-knowledge", h2c + "/"], TimeSpan.FromSeconds(20));
        Assert.True(overH2c.ExitCode == 0 && overH2c.StdOut == "Hello World\n", "h2c frontend:\n" + overH2c.Describe() + "\n" + proxy.Output);

        // The load, through HAProxy's h2c frontend. -N: a connection idle for 20 s fails its requests instead of
        // hanging the run; ExternalTool kills h2load and fails the test after 60 s.
        var load = Stopwatch.StartNew();
        Task<ToolResult> run = ExternalTool.RunAsync(h2load, ["-N", "20", "-n", Requests.ToString(CultureInfo.InvariantCulture), "-c", "6", "-m", "10", h2c + "/"], TimeSpan.FromSeconds(60));

        // SIGTERM to the second instance once a fifth of the requests are answered (about 1 s in on a 2-core
        // machine; counted by HAProxy, so the stop lands inside the run whatever the machine's speed).
        (RunningSample drained, _) = instances[1];
        while (await proxy.CountAsync("BACKEND", "hrsp_2xx") < Requests / 5)
        {
            if (run.IsCompleted)
            {
                Assert.Fail("h2load ended before a fifth of its requests were answered:\n" + (await run).Describe());
            }

            Assert.True(load.Elapsed < TimeSpan.FromSeconds(30), "HAProxy answered fewer than a fifth of the requests in 30 s:\n" + await proxy.StatsAsync());
            await Task.Delay(20);
        }

        Assert.False(run.IsCompleted, "h2load finished before the SIGTERM: raise Requests so the stop lands inside the run");
        TimeSpan termAt = load.Elapsed;
        await SignalAsync(drained, "TERM");
        var stopping = Stopwatch.StartNew();

        bool exited = await drained.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(5));
        TimeSpan exitAfter = stopping.Elapsed;
        ToolResult result = await run;
        TimeSpan loadTook = load.Elapsed;
        output.WriteLine($"SIGTERM at {termAt.TotalSeconds:F2} s; instance exited {exitAfter.TotalSeconds:F2} s later; h2load ran {result.Elapsed.TotalSeconds:F2} s");
        output.WriteLine(H2loadSummary(result));
        output.WriteLine(await proxy.StatsAsync());

        // The instance drained and exited cleanly, within ShutdownTimeout plus the PING round (1 s), with 2 s to spare
        // for a loaded machine.
        Assert.True(exited, $"the instance did not exit within {(ShutdownTimeout + TimeSpan.FromSeconds(5)).TotalSeconds} s of SIGTERM:\n{drained.Output}");
        Assert.True(drained.ExitCode == 0, $"exit code {drained.ExitCode} after SIGTERM:\n{drained.Output}");
        Assert.True(exitAfter < ShutdownTimeout + TimeSpan.FromSeconds(3), $"the instance took {exitAfter.TotalSeconds:F1} s to exit, beyond its {ShutdownTimeout.TotalSeconds} s shutdown timeout:\n{drained.Output}");

        // Every request answered, and with 200: HAProxy honours the GOAWAY (no new stream on that connection); a
        // connect to the stopping instance is refused once its listener has closed, and a stream it did not take
        // (beyond its final GOAWAY's last stream id) ends without a response: both are sent to another server
        // ("retries", "option redispatch 1", "retry-on conn-failure empty-response" in deploy/haproxy.cfg). The
        // client never sees the drain. (h2load itself never reconnects after a GOAWAY, so going to the instance
        // directly its unsent requests would count as failed; through HAProxy none may.)
        Assert.True(result.ExitCode == 0, result.Describe());
        AssertAllSucceeded(result, Requests, await proxy.StatsAsync());

        // The zero above would also hold if the instance simply dropped its connections: HAProxy replays what gets
        // no response (after a SIGKILL instead, dozens of streams count in s2's eresp and are replayed, and the
        // client sees nothing either). So the instance's side is asserted from its own log: it began the graceful
        // shutdown of RFC 9113 §6.8 on its connections (GOAWAY and PING; the final GOAWAY often never comes, as
        // HAProxy closes a connection as soon as its last stream is done) and no connection outlived the shutdown
        // timeout, i.e. it finished every stream it took. A few streams may still show in s2's eresp (0-5 in our
        // runs): ones it never took, which HAProxy sent on a connection after the instance's PING round, and then
        // sent elsewhere.
        Assert.Contains("graceful shutdown: GOAWAY NO_ERROR announcing it, and a PING", drained.Output);
        Assert.DoesNotContain("did not close within the shutdown timeout", drained.Output);

        // HAProxy's health check (GET /healthz over h2c) takes the stopped instance out.
        await proxy.WaitForStatusAsync(["s2"], "DOWN", TimeSpan.FromSeconds(10));

        // Traffic carries on over the other two, both of them, and none goes to the stopped one.
        long[] before = [await proxy.CountAsync("s1", "hrsp_2xx"), await proxy.CountAsync("s2", "hrsp_2xx"), await proxy.CountAsync("s3", "hrsp_2xx")];
        ToolResult after = await ExternalTool.RunAsync(h2load, ["-N", "20", "-n", "2000", "-c", "2", "-m", "10", h2c + "/"], TimeSpan.FromSeconds(60));
        AssertAllSucceeded(after, 2000, await proxy.StatsAsync());
        long[] served = [await proxy.CountAsync("s1", "hrsp_2xx") - before[0], await proxy.CountAsync("s2", "hrsp_2xx") - before[1], await proxy.CountAsync("s3", "hrsp_2xx") - before[2]];
        output.WriteLine($"after the drain: s1 {served[0]}, s2 {served[1]}, s3 {served[2]} of 2000");
        Assert.True(served[0] > 0 && served[2] > 0 && served[1] == 0 && served.Sum() == 2000, $"expected the 2000 requests on s1 and s3 only, got s1 {served[0]}, s2 {served[1]}, s3 {served[2]}");
        Assert.True(loadTook < TimeSpan.FromSeconds(40), $"the load took {loadTook.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task The_tls_passthrough_config_checks_over_h2_and_moves_new_connections_off_a_stopped_instance()
    {
        string haproxy = Haproxy.Require();
        string curl = ExternalTool.Curl();

        (RunningSample Process, int Port)[] instances = await StartInstancesAsync(2, "h2", @"https://127\.0\.0\.1:(?<port>\d+)");
        Haproxy proxy = await StartHaproxyAsync(
            haproxy, "haproxy-passthrough.cfg", [.. instances.Select(i => i.Port)],
            ports => [$"HTTP2LAB_TLS_BIND=127.0.0.1:{ports[0]}"],
            frontendPorts: 1);
        string url = $"https://127.0.0.1:{proxy.FrontendPorts[0]}/";

        // TLS and ALPN are the instance's own (its self-signed development certificate), end to end.
        ToolResult first = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "10", "-k", "--http2", "-w", "%{http_version}", url], TimeSpan.FromSeconds(20));
        Assert.True(first.ExitCode == 0 && first.StdOut == "Hello World\n2", first.Describe() + "\n" + proxy.Output);

        // Stop one: new connections (each curl run is one) all land on the other, whether the check has noticed yet or not.
        await SignalAsync(instances[0].Process, "TERM");
        Assert.True(await instances[0].Process.WaitForExitAsync(ShutdownTimeout + TimeSpan.FromSeconds(5)), "the instance did not exit after SIGTERM:\n" + instances[0].Process.Output);
        Assert.Equal(0, instances[0].Process.ExitCode);
        for (int i = 0; i < 6; i++)
        {
            ToolResult next = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "10", "-k", "--http2", "-w", "%{http_version}", url], TimeSpan.FromSeconds(20));
            Assert.True(next.ExitCode == 0 && next.StdOut == "Hello World\n2", $"request {i} after the stop:\n{next.Describe()}\n{await proxy.StatsAsync()}");
        }

        await proxy.WaitForStatusAsync(["s1"], "DOWN", TimeSpan.FromSeconds(10));
    }

    public void Dispose()
    {
        for (int i = _processes.Count - 1; i >= 0; i--)
        {
            _processes[i].Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Starts <paramref name="count"/> samples on port 0 and returns each with the port its <paramref name="endpoint"/> bound.</summary>
    private async Task<(RunningSample Process, int Port)[]> StartInstancesAsync(int count, string endpoint, string urlPattern, Func<int, string[]>? extraArguments = null)
    {
        string[] arguments = [.. SampleApp.PortZero, $"--Http2Lab:ShutdownTimeout={ShutdownTimeout:c}"];
        RunningSample[] samples = new RunningSample[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = SampleApp.Start([.. arguments, .. extraArguments?.Invoke(i) ?? []]);
            _processes.Add(samples[i]);
        }

        var listening = new Regex($"'{endpoint}' listening on {urlPattern}");
        Match[] bound = await Task.WhenAll(samples.Select(s => s.WaitForLineAsync(listening, StartTimeout)));
        return [.. samples.Zip(bound, (s, m) => (s, int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)))];
    }

    /// <summary>
    /// Runs deploy/<paramref name="file"/> with its <c>server</c> lines rendered for <paramref name="serverPorts"/>,
    /// on free loopback ports, and waits until HAProxy's health checks have passed on every server.
    /// </summary>
    private async Task<Haproxy> StartHaproxyAsync(string haproxy, string file, int[] serverPorts, Func<int[], string[]> environment, int frontendPorts)
    {
        string config = Path.Combine(_directory, file);
        File.WriteAllText(config, HaproxyConfig.RenderServers(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", file)), serverPorts));
        string socket = Path.Combine(_directory, Path.ChangeExtension(file, ".sock"));

        // A free port is only free until someone takes it: another test may bind it between our probe and
        // HAProxy's bind, so a start that fails to bind is tried again on other ports.
        for (int attempt = 1; ; attempt++)
        {
            int[] ports = [.. Enumerable.Range(0, frontendPorts).Select(_ => FreePort())];
            var proxy = new Haproxy(haproxy, config, socket, ports,
                [.. environment(ports), $"HTTP2LAB_SOCKET={socket}", "HTTP2LAB_LOG=stdout", "HTTP2LAB_LOG_LEVEL=notice"]);
            _processes.Add(proxy);
            if (await proxy.WaitForStatusAsync([.. serverPorts.Select((_, i) => $"s{i + 1}")], "UP", StartTimeout, failIfExited: attempt == 3))
            {
                return proxy;
            }
        }
    }

    private static async Task SignalAsync(RunningSample sample, string signal)
    {
        string kill = File.Exists("/bin/kill") ? "/bin/kill" : ExternalTool.Require("kill", "procps");
        ToolResult sent = await ExternalTool.RunAsync(kill, [$"-{signal}", sample.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.True(sent.ExitCode == 0, sent.Describe());
    }

    private string WriteSelfSignedPem()
    {
        // HAProxy's "crt": certificate and key in one PEM file.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        string path = Path.Combine(_directory, "haproxy.pem");
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n");
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Http2Transport.sln")))
            {
                return directory.FullName;
            }
        }

        Assert.Fail($"no Http2Transport.sln above {AppContext.BaseDirectory}: deploy/ is read from the repository");
        return null!; // unreachable
    }

    private static void AssertAllSucceeded(ToolResult result, int count, string stats)
    {
        Match requests = RequestsLine().Match(result.StdOut);
        Assert.True(requests.Success, "no 'requests:' line\n" + result.Describe());
        Assert.True(
            result.ExitCode == 0 && Number(requests, "done") == count && Number(requests, "succeeded") == count
            && Number(requests, "failed") == 0 && Number(requests, "errored") == 0 && Number(requests, "timeout") == 0,
            $"expected {count} succeeded, 0 failed/errored/timeout; got: {requests.Value}\n{result.Describe()}\n{stats}");
        Assert.Contains($"status codes: {count} 2xx, 0 3xx, 0 4xx, 0 5xx", result.StdOut);
    }

    private static string H2loadSummary(ToolResult result) =>
        string.Join('\n', result.StdOut.Split('\n').Where(l => l.StartsWith("finished", StringComparison.Ordinal) || l.StartsWith("requests:", StringComparison.Ordinal) || l.StartsWith("status codes:", StringComparison.Ordinal)));

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"requests: (?<total>\d+) total, (?<started>\d+) started, (?<done>\d+) done, (?<succeeded>\d+) succeeded, (?<failed>\d+) failed, (?<errored>\d+) errored, (?<timeout>\d+) timeout")]
    private static partial Regex RequestsLine();
}

/// <summary>What deploy/local-cluster.sh does to deploy's configuration files: one <c>server</c> line per instance.</summary>
internal static partial class HaproxyConfig
{
    /// <summary>
    /// Replaces the <c>server sN address …</c> lines with one per port (s1, s2, … on 127.0.0.1), keeping whatever
    /// follows the first one's address; every other line is kept as it is.
    /// </summary>
    public static string RenderServers(string config, IReadOnlyList<int> ports)
    {
        var rendered = new StringBuilder();
        bool replaced = false;
        foreach (string line in config.Split('\n'))
        {
            Match server = ServerLine().Match(line);
            if (!server.Success)
            {
                rendered.Append(line).Append('\n');
                continue;
            }

            if (!replaced)
            {
                for (int i = 0; i < ports.Count; i++)
                {
                    rendered.Append(CultureInfo.InvariantCulture, $"{server.Groups["indent"].Value}server s{i + 1} 127.0.0.1:{ports[i]}{server.Groups["rest"].Value}\n");
                }

                replaced = true;
            }
        }

        Assert.True(replaced, "no 'server sN address' line to replace in the configuration");
        return rendered.ToString().TrimEnd('\n') + "\n";
    }

    [GeneratedRegex(@"^(?<indent>\s*)server\s+s\d+\s+\S+(?<rest>.*)$")]
    private static partial Regex ServerLine();
}

/// <summary>haproxy in the foreground (<c>-db</c>), and its runtime API (the stats socket) for server states and counters.</summary>
internal sealed class Haproxy : IDisposable
{
    private readonly RunningSample _process;
    private readonly string _socket;

    public Haproxy(string haproxy, string config, string socket, int[] frontendPorts, string[] environment)
    {
        _socket = socket;
        FrontendPorts = frontendPorts;
        // env(1) sets the variables the configuration expands ("${HTTP2LAB_…}") for this process alone.
        _process = new RunningSample(ExternalTool.Require("env", "coreutils"), [.. environment, haproxy, "-db", "-f", config]);
    }

    public int[] FrontendPorts { get; }

    public string Output => _process.Output;

    /// <summary>haproxy's full path (Debian puts it in /usr/sbin, not on every user's PATH); fails the test, never skips, when it is not installed.</summary>
    public static string Require() => File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : ExternalTool.Require("haproxy", "haproxy");

    /// <summary>
    /// Waits until every one of <paramref name="servers"/> has <paramref name="status"/> after a completed check (UP: the
    /// last check passed at layer 7). False when haproxy exited first and <paramref name="failIfExited"/> is false.
    /// </summary>
    public async Task<bool> WaitForStatusAsync(string[] servers, string status, TimeSpan timeout, bool failIfExited = true)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                Assert.False(failIfExited, $"haproxy exited with {_process.ExitCode}:\n{Output}");
                return false;
            }

            if (File.Exists(_socket))
            {
                try
                {
                    Dictionary<string, Dictionary<string, string>> rows = await ReadStatsAsync();
                    if (servers.All(s => rows.TryGetValue(s, out var row) && row["status"] == status && (status != "UP" || row["check_status"] == "L7OK")))
                    {
                        return true;
                    }
                }
                catch (SocketException)
                {
                    // Not listening yet.
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"servers {string.Join(", ", servers)} not {status} within {timeout.TotalSeconds:F0} s:\n{await StatsOrOutputAsync()}");
        return false; // unreachable
    }

    /// <summary>One counter of the <c>show stat</c> row for <paramref name="server"/> (or FRONTEND/BACKEND) of the backend.</summary>
    public async Task<long> CountAsync(string server, string column)
    {
        Dictionary<string, Dictionary<string, string>> rows = await ReadStatsAsync();
        return long.TryParse(rows[server][column], CultureInfo.InvariantCulture, out long value) ? value : 0;
    }

    /// <summary>The backend's rows, a few columns, for messages.</summary>
    public async Task<string> StatsAsync()
    {
        string[] columns = ["status", "check_status", "stot", "hrsp_2xx", "hrsp_5xx", "econ", "eresp", "wretr", "wredis"];
        var text = new StringBuilder("haproxy: server " + string.Join(' ', columns) + "\n");
        foreach ((string server, Dictionary<string, string> row) in await ReadStatsAsync())
        {
            text.Append(CultureInfo.InvariantCulture, $"haproxy: {server} {string.Join(' ', columns.Select(c => row.GetValueOrDefault(c, "")))}\n");
        }

        return text.ToString().TrimEnd();
    }

    public void Dispose() => _process.Dispose();

    private async Task<string> StatsOrOutputAsync()
    {
        try
        {
            return await StatsAsync() + "\n" + Output;
        }
        catch (SocketException)
        {
            return Output;
        }
    }

    /// <summary><c>show stat</c>: rows of the backend (be_*) by server name, each column by its CSV header name.</summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> ReadStatsAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socket), deadline.Token);
        await socket.SendAsync("show stat\n"u8.ToArray(), SocketFlags.None, deadline.Token);
        using var reply = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, deadline.Token)) > 0)
        {
            reply.Write(buffer, 0, read);
        }

        string[] lines = Encoding.ASCII.GetString(reply.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] header = lines[0].TrimStart('#', ' ').Split(',');
        var rows = new Dictionary<string, Dictionary<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split(',');
            if (fields.Length >= header.Length && fields[0].StartsWith("be_", StringComparison.Ordinal))
            {
                rows[fields[1]] = header.Zip(fields).ToDictionary(p => p.First, p => p.Second);
            }
        }

        return rows;
    }
}
