using System.Diagnostics;
using System.Text;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>The outcome of running an external program.</summary>
public sealed record ToolResult(string Command, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    /// <summary>Everything a failure message needs.</summary>
    public string Describe(int max = 4000) =>
        $"$ {Command}\nexit code {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Clip(StdOut, max)}\n--- stderr ---\n{Clip(StdErr, max)}";

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max] + $"\n... ({text.Length - max} more characters)";
}

/// <summary>Finds and runs the command-line HTTP/2 tools the interop tests drive.</summary>
public static class ExternalTool
{
    public const string PythonPath = "/usr/bin/python3";

    /// <summary>The full path of <paramref name="name"/> on PATH; fails the test (never skips) when it is missing.</summary>
    public static string Require(string name, string package)
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/bin", "/bin", "/usr/local/bin"]))
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

    public static string Curl() => Require("curl", "curl");

    public static string Nghttp() => Require("nghttp", "nghttp2-client");

    public static string H2load() => Require("h2load", "nghttp2-client");

    private static readonly Lazy<Task<string?>> PythonProblem = new(CheckPythonAsync);

    /// <summary>/usr/bin/python3 with the h2 package; fails the test when either is missing.</summary>
    public static async Task<string> PythonWithH2Async()
    {
        if (await PythonProblem.Value is { } problem)
        {
            Assert.Fail(problem);
        }

        return PythonPath;
    }

    private static async Task<string?> CheckPythonAsync()
    {
        const string howTo = "run ./test.sh or apt-get install python3-h2";
        if (!File.Exists(PythonPath))
        {
            return $"{PythonPath} not found: {howTo}";
        }

        ToolResult check = await RunAsync(PythonPath, ["-c", "import h2, json; print(h2.__version__)"], TimeSpan.FromSeconds(20));
        return check.ExitCode == 0 ? null : $"python3-h2 not found for {PythonPath} (import h2 failed): {howTo}\n{check.Describe()}";
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> to completion, capturing both streams. A run longer than
    /// <paramref name="timeout"/> is killed (the process this call started, and its children) and fails the test.
    /// </summary>
    public static async Task<ToolResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, string? standardInput = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        string command = fileName + " " + string.Join(' ', arguments.Select(a => a.Contains(' ') ? $"'{a}'" : a));
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            var killed = new ToolResult(command, -1, await stdout.WaitAsync(TimeSpan.FromSeconds(5)), await stderr.WaitAsync(TimeSpan.FromSeconds(5)), stopwatch.Elapsed);
            Assert.Fail($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:F0} s and was killed.\n{killed.Describe()}");
        }

        string output = await stdout.WaitAsync(TimeSpan.FromSeconds(10));
        string error = await stderr.WaitAsync(TimeSpan.FromSeconds(10));
        return new ToolResult(command, process.ExitCode, output, error, stopwatch.Elapsed);
    }
}
