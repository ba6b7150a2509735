namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>Finds the external servers the tests drive; a missing one fails the test with how to install it (never a skip).</summary>
public static class ExternalTool
{
    public static string Require(string name, string package)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin"]))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"{name} not found: run ./test.sh or apt-get install {package}");
        return null!; // unreachable
    }

    /// <summary>A port free on 127.0.0.1 right now (for servers that cannot report the port they bound).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits (bounded) until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitForPortAsync(int port, System.Diagnostics.Process? process, string what, Func<string> errors)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (process is { HasExited: true })
            {
                Assert.Fail($"{what} exited with code {process.ExitCode}: {errors()}");
            }

            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail($"{what} did not listen on 127.0.0.1:{port} within 10 s");
    }
}
