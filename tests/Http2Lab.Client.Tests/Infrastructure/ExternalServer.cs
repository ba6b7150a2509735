using System.Diagnostics;

namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>An external server process the tests started, killed (with its children) on dispose.</summary>
public sealed class ExternalServer : IDisposable
{
    private readonly Process _process;

    private ExternalServer(Process process)
    {
        _process = process;
    }

    /// <summary>Starts <paramref name="path"/> and waits (bounded) until it accepts connections on <paramref name="port"/>.</summary>
    public static async Task<ExternalServer> StartAsync(string path, IEnumerable<string> arguments, int port, string what)
    {
        var start = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {path}");
        var server = new ExternalServer(process);
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ExternalTool.WaitForPortAsync(port, process, what, () =>
            {
                lock (errors)
                {
                    return errors.ToString();
                }
            });
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}
