using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// The built sample (samples/WebHost), run as its own process with <c>dotnet WebHost.dll</c>, exactly as a user
/// runs it. The project reference in the csproj makes sure it is built before the tests.
/// </summary>
public static class SampleApp
{
    private static readonly Lazy<string> Dll = new(FindDll);

    /// <summary>Port-0 overrides for every endpoint, so a test never collides with a sample running on 8080/8443/9999.</summary>
    public static readonly string[] PortZero =
    [
        "--Http2Lab:Endpoints:h2c:Url=http://127.0.0.1:0",
        "--Http2Lab:Endpoints:h2:Url=https://127.0.0.1:0",
        "--Http2Lab:Endpoints:echo:Url=http://127.0.0.1:0",
    ];

    public static string DllPath => Dll.Value;

    /// <summary>The <c>dotnet</c> host running these tests (so the sample runs on the same runtime).</summary>
    public static string DotnetPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            {
                return host;
            }

            if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                return self;
            }

            return ExternalTool.Require("dotnet", "the .NET SDK (https://dot.net)");
        }
    }

    /// <summary>Runs the sample until it exits by itself (a start-up failure); killed and failed after <paramref name="timeout"/>.</summary>
    public static Task<ToolResult> RunToExitAsync(IEnumerable<string> arguments, TimeSpan timeout) =>
        ExternalTool.RunAsync(DotnetPath, [DllPath, .. arguments], timeout);

    /// <summary>Starts the sample and keeps it running; its output lines are collected as they arrive.</summary>
    public static RunningSample Start(IEnumerable<string> arguments) => new(DotnetPath, [DllPath, .. arguments]);

    private static string FindDll()
    {
        // Prefer the sample's own output folder (bin/<Configuration>/net10.0 beside its appsettings.json).
        string configuration = typeof(SampleApp).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var candidates = new List<string>();
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Http2Transport.sln")))
            {
                candidates.Add(Path.Combine(directory.FullName, "samples", "WebHost", "bin", configuration, framework, "WebHost.dll"));
                break;
            }
        }

        // The copy the project reference puts beside the tests.
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "WebHost.dll"));
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate) && File.Exists(Path.ChangeExtension(candidate, ".runtimeconfig.json")))
            {
                return candidate;
            }
        }

        Assert.Fail($"WebHost.dll not found (looked at {string.Join(", ", candidates)}): build samples/WebHost first (dotnet build tests/Http2Lab.Interop.Tests builds it).");
        return null!; // unreachable
    }
}

/// <summary>A running sample process; disposing kills it (and only it) if it is still running.</summary>
public sealed class RunningSample : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public RunningSample(string fileName, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Add("out", e.Data);
        _process.ErrorDataReceived += (_, e) => Add("err", e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line so far, prefixed with out: or err:.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>Waits for an output line matching <paramref name="pattern"/>; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            foreach (string line in _lines)
            {
                if (pattern.Match(line) is { Success: true } match)
                {
                    return match;
                }
            }

            if (_process.HasExited)
            {
                await Task.Delay(100); // let the last lines arrive
                if (_lines.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success) is { } late)
                {
                    return late;
                }

                Assert.Fail($"the sample exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }

            await Task.Delay(50);
        }

        Assert.Fail($"no line matching /{pattern}/ within {timeout.TotalSeconds:F0} s:\n{Output}");
        return null!; // unreachable
    }

    /// <summary>Waits for the process to exit; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Add(string stream, string? line)
    {
        if (line is not null && _lines.Count < 10_000)
        {
            _lines.Enqueue($"{stream}: {line}");
        }
    }
}
