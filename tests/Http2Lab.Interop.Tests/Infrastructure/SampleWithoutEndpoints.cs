using System.Text.Json;
using System.Text.Json.Nodes;

namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// The built sample copied into a directory of its own with <c>Http2Lab:Endpoints</c> removed from its
/// appsettings.json: the same program, started the same way, as an application that configures no endpoints — the case
/// where <c>--urls</c>, <c>ASPNETCORE_URLS</c> and the default address apply. (Configuration cannot delete a section
/// from the command line, and the sample itself keeps its endpoints.)
/// </summary>
public static class SampleWithoutEndpoints
{
    /// <summary>Copies the sample into <paramref name="directory"/> and returns the copy's WebHost.dll.</summary>
    public static string CopyTo(string directory)
    {
        string source = Path.GetDirectoryName(SampleApp.DllPath)!;
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(directory, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string settingsPath = Path.Combine(directory, "appsettings.json");
        var documentOptions = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        JsonNode settings = JsonNode.Parse(File.ReadAllText(settingsPath), documentOptions: documentOptions)!;
        Assert.True(settings["Http2Lab"]!.AsObject().Remove("Endpoints"), "the sample's appsettings.json has no Http2Lab:Endpoints any more");
        File.WriteAllText(settingsPath, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return Path.Combine(directory, "WebHost.dll");
    }

    /// <summary>Starts the copy at <paramref name="dll"/>; <paramref name="environment"/> entries (NAME=value) are set for it alone.</summary>
    public static RunningSample Start(string dll, IEnumerable<string> arguments, params string[] environment) =>
        environment.Length == 0
            ? new RunningSample(SampleApp.DotnetPath, [dll, .. arguments])
            : new RunningSample(ExternalTool.Require("env", "coreutils"), [.. environment, SampleApp.DotnetPath, dll, .. arguments]);
}
