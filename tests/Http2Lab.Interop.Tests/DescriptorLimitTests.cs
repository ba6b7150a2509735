using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// The sample at its file-descriptor limit (run under <c>prlimit --nofile</c>), flooded with connections: accept
/// fails with EMFILE; the accept loop must back off instead of spinning, log once per interval, and serve again
/// once descriptors free up — on every dispatcher.
/// </summary>
public sealed class DescriptorLimitTests
{
    private const int DescriptorLimit = 256;
    private const int Flood = 400;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("Async")]
    [InlineData("SingleClient")]
    [InlineData("ThreadPerConnection")]
    [InlineData("Poll")]
    public async Task By_default_a_flood_is_turned_away_before_the_descriptors_run_out(string dispatcher)
    {
        // No MaxConnections configured: it is derived from the descriptor limit (what 256 leaves after those open at
        // start and a margin, shared by the sample's 3 endpoints: a few dozen at most).
        using var sample = StartLimited(dispatcher);
        int port = await PortAsync(sample);
        var flood = await FloodAsync(port);
        try
        {
            await sample.WaitForLineAsync(new Regex(@"closed \d+ new connection\(s\) at once: \d+ connections are open, the limit is \d+ \(MaxConnections"), Bound);
            Assert.DoesNotMatch("accept failed", sample.Output);
        }
        finally
        {
            Close(flood);
        }

        await AssertServedAgainAsync(sample, port);
        Assert.False(sample.HasExited, sample.Output);
    }

    [Theory]
    [InlineData("Async")]
    [InlineData("SingleClient")]
    [InlineData("ThreadPerConnection")]
    [InlineData("Poll")]
    public async Task Configured_above_the_descriptor_limit_accept_backs_off_without_spinning_and_recovers(string dispatcher)
    {
        using var sample = StartLimited(dispatcher, "--Http2Lab:Limits:MaxConnections=100000");
        int port = await PortAsync(sample);
        await sample.WaitForLineAsync(new Regex("Application started"), Bound); // the host's own start-up needs descriptors too
        var flood = await FloodAsync(port);
        try
        {
            // Accept fails for lack of descriptors (ThreadPerConnection checks there are some left for the thread it
            // would start, and backs off the same way before accept would fail).
            await sample.WaitForLineAsync(new Regex("accept failed \\(TooManyOpenSockets"), Bound);

            // A loop spinning on EMFILE burns a whole core (the probe behind this test saw 1.2 cores); backing off, the
            // server is nearly idle. Generous: under half a core over two seconds.
            double cpu = CpuSeconds(sample.Id);
            await Task.Delay(TimeSpan.FromSeconds(2));
            double used = CpuSeconds(sample.Id) - cpu;
            Assert.True(used < 1.0, $"the server used {used:F2} s of CPU in 2 s at the descriptor limit (spinning?)\n{sample.Output}");
        }
        finally
        {
            Close(flood);
        }

        await AssertServedAgainAsync(sample, port);

        // Reported once per interval (10 s), not once per failed accept.
        Assert.InRange(Regex.Matches(sample.Output, "accept failed").Count, 1, 3);
    }

    private static RunningSample StartLimited(string dispatcher, params string[] extra) => new(
        ExternalTool.Require("prlimit", "util-linux"),
        [
            $"--nofile={DescriptorLimit}:{DescriptorLimit}", "--", SampleApp.DotnetPath, SampleApp.DllPath, .. SampleApp.PortZero,
            $"--Http2Lab:Endpoints:h2c:Dispatcher={dispatcher}",
            "--Http2Lab:Endpoints:h2c:MaxClients=100000", // Poll's own cap (10) would turn the flood away first
            .. extra,
        ]);

    private static async Task<int> PortAsync(RunningSample sample)
    {
        Match listening = await sample.WaitForLineAsync(new Regex(@"'h2c' listening on http://127\.0\.0\.1:(?<port>\d+)"), Bound);
        return int.Parse(listening.Groups["port"].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<List<Socket>> FloodAsync(int port)
    {
        var flood = new List<Socket>();
        for (int i = 0; i < Flood; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            flood.Add(socket);
            await socket.ConnectAsync("127.0.0.1", port).WaitAsync(Bound); // the kernel's backlog takes what the server does not
        }

        return flood;
    }

    private static void Close(List<Socket> flood)
    {
        foreach (Socket socket in flood)
        {
            socket.Dispose();
        }
    }

    /// <summary>Descriptors free up: a normal client is served again (after the back-off, at most a second).</summary>
    private static async Task AssertServedAgainAsync(RunningSample sample, int port)
    {
        string curl = ExternalTool.Curl();
        ToolResult? last = null;
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline)
        {
            last = await ExternalTool.RunAsync(curl, ["-sS", "--max-time", "5", "--http2-prior-knowledge", $"http://127.0.0.1:{port}/"], TimeSpan.FromSeconds(10));
            if (last.ExitCode == 0 && last.StdOut == "Hello World\n")
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"not served after the flood ended\n{last?.Describe()}\n{sample.Output}");
    }

    /// <summary>User + system CPU time of a process, from /proc (clock ticks of 1/100 s on Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        string[] fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
