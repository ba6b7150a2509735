using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// The sample serving h2c on a Unix domain socket (<c>--Http2Lab:Endpoints:h2c:Url=http://unix:/path</c>), as a user
/// runs it: curl (<c>--unix-socket</c>) and .NET's HttpClient (SocketsHttpHandler.ConnectCallback) get their answers,
/// on the Async dispatcher and the Poll loop, and the socket file is gone once the server has stopped on SIGTERM.
/// </summary>
public sealed class UnixSocketInteropTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _directory = Directory.CreateTempSubdirectory("h2l-uds-").FullName;

    [Theory]
    [InlineData("Async")]
    [InlineData("Poll")]
    public async Task Curl_and_HttpClient_are_served_over_the_socket_file(string dispatcher)
    {
        string path = Path.Combine(_directory, $"{dispatcher}.sock");
        using RunningSample sample = SampleApp.Start([.. SampleApp.PortZero, $"--Http2Lab:Endpoints:h2c:Url=http://unix:{path}", $"--Http2Lab:Endpoints:h2c:Dispatcher={dispatcher}"]);
        await sample.WaitForLineAsync(new Regex($"'h2c' listening on http://unix:{Regex.Escape(path)}"), Timeout);
        await sample.WaitForLineAsync(new Regex("Application started"), Timeout);

        ToolResult curl = await ExternalTool.RunAsync(ExternalTool.Curl(),
            ["-sS", "--max-time", "10", "--unix-socket", path, "--http2-prior-knowledge", "-w", "%{http_version}", "http://localhost/"], Timeout);
        Assert.True(curl.ExitCode == 0, curl.Describe() + "\n" + sample.Output);
        Assert.Equal("Hello World\n2", curl.StdOut);

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/echo")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent("through the socket file"),
        };
        using HttpResponseMessage response = await client.SendAsync(request);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("through the socket file", await response.Content.ReadAsStringAsync());

        string kill = File.Exists("/bin/kill") ? "/bin/kill" : ExternalTool.Require("kill", "procps");
        await ExternalTool.RunAsync(kill, ["-TERM", sample.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Timeout);
        Assert.True(await sample.WaitForExitAsync(Timeout), "the sample did not exit on SIGTERM:\n" + sample.Output);
        Assert.Equal(0, sample.ExitCode);
        Assert.False(File.Exists(path), "the socket file is left behind");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
