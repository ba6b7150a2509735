using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// The libraries as a user gets them: <c>dotnet pack</c> of both into a folder feed, a fresh console app that
/// references the Http2Lab.Http2 package (and so Http2Lab.Transport) and nothing of this repository, restored against
/// that feed, built, run, and asked for its route with curl. Slow (two packs and a build), so one test, run alone.
/// </summary>
[Collection(PackageConsumptionCollection.Name)]
public sealed class PackageConsumptionTests : IDisposable
{
    /// <summary>The whole test: packs, restore, build and run together.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    private const string Version = "0.1.0";

    private readonly string _directory = Directory.CreateTempSubdirectory("http2lab-package-").FullName;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private RunningSample? _app;

    [Fact]
    public async Task A_console_app_built_from_the_packed_libraries_serves_its_route_over_h2c()
    {
        string curl = ExternalTool.Curl();
        string root = RepositoryRoot();
        string feed = Path.Combine(_directory, "feed");

        // Build output goes to a folder of the test's own (--artifacts-path), not the repository's bin/ and obj/.
        foreach (string project in new[] { "src/Transport/Http2Lab.Transport.csproj", "src/Http2Middleware/Http2Lab.Http2.csproj" })
        {
            await DotnetAsync(TimeSpan.FromSeconds(120),
                "pack", Path.Combine(root, project), "-c", "Release", "-o", feed,
                "--artifacts-path", Path.Combine(_directory, "artifacts"), "--disable-build-servers", "-nologo");
        }

        AssertPackage(feed, "Http2Lab.Transport", dependencies: []);
        AssertPackage(feed, "Http2Lab.Http2", dependencies: ["Http2Lab.Transport"]);

        string app = WriteConsumer(Path.Combine(_directory, "app"), feed);
        await DotnetAsync(TimeSpan.FromSeconds(60), "restore", Path.Combine(app, "PackagedApp.csproj"), "--disable-build-servers");
        await DotnetAsync(TimeSpan.FromSeconds(90),
            "build", Path.Combine(app, "PackagedApp.csproj"), "-c", "Release", "--no-restore", "--disable-build-servers", "-nologo");
        Assert.True(File.Exists(Path.Combine(app, "packages", "http2lab.http2", Version, "lib", "net10.0", "Http2Lab.Http2.dll")),
            "the app was not restored from the packed Http2Lab.Http2");

        // Its own content root: from the test's directory it would also read the sample's appsettings.json (copied there
        // by the project reference) and bind the sample's endpoints, whose https one has no certificate in Production.
        _app = new RunningSample(SampleApp.DotnetPath, [Path.Combine(app, "bin", "Release", "net10.0", "PackagedApp.dll"), "--contentRoot", app]);
        Match bound = await _app.WaitForLineAsync(new Regex(@"^out: packaged app listening on (?<url>http://127\.0\.0\.1:\d+)/?$"), Remaining(TimeSpan.FromSeconds(30)));

        ToolResult get = await ExternalTool.RunAsync(curl,
            ["-sS", "--max-time", "10", "--http2-prior-knowledge", "-w", "%{http_version}", bound.Groups["url"].Value + "/"], TimeSpan.FromSeconds(20));
        Assert.True(get.ExitCode == 0, get.Describe() + "\n" + _app.Output);
        Assert.Equal("packaged\n2", get.StdOut);
    }

    public void Dispose()
    {
        _app?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A process that has not let go of a file yet; the temp folder is cleaned up by the system.
        }
    }

    /// <summary>Runs <c>dotnet</c> with the given arguments within <paramref name="cap"/> and what is left of the budget.</summary>
    private async Task DotnetAsync(TimeSpan cap, params string[] arguments)
    {
        // env: no first-run banner or telemetry notice in the output the failure message shows.
        ToolResult result = await ExternalTool.RunAsync(ExternalTool.Require("env", "coreutils"),
            ["DOTNET_NOLOGO=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1", SampleApp.DotnetPath, .. arguments], Remaining(cap));
        Assert.True(result.ExitCode == 0, result.Describe(max: 12_000));
    }

    private TimeSpan Remaining(TimeSpan cap)
    {
        TimeSpan left = Budget - _elapsed.Elapsed;
        Assert.True(left > TimeSpan.Zero, $"the test's {Budget.TotalMinutes:F0}-minute budget is spent");
        return left < cap ? left : cap;
    }

    /// <summary>The package and its symbols are there, with the metadata a feed shows, and it depends on nothing else of ours.</summary>
    private static void AssertPackage(string feed, string id, string[] dependencies)
    {
        string nupkg = Path.Combine(feed, $"{id}.{Version}.nupkg");
        Assert.True(File.Exists(nupkg), $"{nupkg} was not produced");
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), $"{id}: no symbol package (.snupkg)");

        using ZipArchive zip = ZipFile.OpenRead(nupkg);
        Assert.NotNull(zip.GetEntry("README.md"));
        Assert.NotNull(zip.GetEntry($"lib/net10.0/{id}.dll"));
        Assert.NotNull(zip.GetEntry($"lib/net10.0/{id}.xml")); // XML documentation

        using Stream nuspecStream = zip.GetEntry($"{id}.nuspec")!.Open();
        XElement metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal(id, Value("id"));
        Assert.Equal("Http2Lab contributors", Value("authors"));
        Assert.Equal("MIT", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        Assert.False(string.IsNullOrWhiteSpace(Value("description")), $"{id}: no description");
        Assert.False(string.IsNullOrWhiteSpace(Value("tags")), $"{id}: no tags");
        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.StartsWith("https://", (string?)repository.Attribute("url"));

        // Build-only packages (the public API analyzer) are private assets: a consumer does not inherit them.
        string[] actual = [.. metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!)];
        Assert.Equal(dependencies, actual);
    }

    /// <summary>A console app of the kind the README describes, in a folder of its own.</summary>
    private static string WriteConsumer(string directory, string feed)
    {
        Directory.CreateDirectory(directory);

        // Nothing of the repository leaks in: no Directory.Build.props/targets above the temp folder is imported.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");

        File.WriteAllText(Path.Combine(directory, "PackagedApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Http2Lab.Http2" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);

        // The folder feed is added to the machine's own sources (no <clear/>: the user's and the machine-wide
        // NuGet.Config still apply). Packages are restored into a folder of the app's own, so the packages just packed
        // are the ones used — never a copy of the same version left in ~/.nuget/packages by an earlier run — and
        // nothing is left behind there.
        File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="packages" />
              </config>
              <packageSources>
                <add key="http2lab-packed" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using Http2Lab.Http2;
            using Http2Lab.Transport.Hosting;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
            builder.UseHttp2Lab(options => options.Endpoints["h2c"] = new EndpointOptions { Url = "http://127.0.0.1:0" });
            builder.Services.AddHttp2Routes(router => router.MapGet("/", (request, response) => response.WriteAsync("packaged\n").AsTask()));
            using IHost host = builder.Build();
            await host.StartAsync();
            Uri url = await host.Services.GetRequiredService<IBoundEndpoints>().GetUrlAsync("h2c");
            Console.WriteLine($"packaged app listening on {url}");
            await host.WaitForShutdownAsync();
            """);
        return directory;
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

        Assert.Fail($"Http2Transport.sln not found above {AppContext.BaseDirectory}");
        return null!; // unreachable
    }
}

/// <summary>
/// The package test packs and builds with the compiler on every core; run alone (xunit runs a collection with
/// parallelization disabled after all others) so it neither slows nor is slowed by the timing-sensitive tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackageConsumptionCollection
{
    public const string Name = "Packages (runs alone)";
}
