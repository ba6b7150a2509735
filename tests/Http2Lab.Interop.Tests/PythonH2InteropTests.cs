using System.Text.Json;
using Http2Lab.Interop.Tests.Infrastructure;

namespace Http2Lab.Interop.Tests;

/// <summary>
/// python-hyper h2 (a sans-IO client like our server) driven by scripts/h2_client.py under /usr/bin/python3, against
/// every endpoint of <see cref="ServerMatrix"/>.
/// </summary>
[Collection(SharedServersCollection.Name)]
public sealed class PythonH2InteropTests(DefaultServerFixture defaults)
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "scripts", "h2_client.py");

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Get_and_post_on_one_connection(string endpoint)
    {
        using JsonDocument result = await RunAsync("basic", endpoint);
        JsonElement root = result.RootElement;

        if (ServerEndpoint.Parse(endpoint).Tls)
        {
            Assert.Equal("h2", root.GetProperty("alpn").GetString());
        }

        JsonElement get = root.GetProperty("get");
        Assert.Equal(200, get.GetProperty("status").GetInt32());
        Assert.True(get.GetProperty("ended").GetBoolean());
        Assert.Equal("Hello World\n", get.GetProperty("body_text").GetString());

        JsonElement post = root.GetProperty("post");
        Assert.Equal(200, post.GetProperty("status").GetInt32());
        Assert.True(post.GetProperty("ended").GetBoolean());
        Assert.Equal("application/x-python-h2", post.GetProperty("headers").GetProperty("content-type").GetString());
        Assert.Equal(root.GetProperty("post_sent_length").GetInt32(), post.GetProperty("body_length").GetInt32());
        Assert.Equal(root.GetProperty("post_sent_sha256").GetString(), post.GetProperty("body_sha256").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("terminated").ValueKind);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task An_uppercase_header_name_is_reset_with_protocol_error_and_the_connection_survives(string endpoint)
    {
        using JsonDocument result = await RunAsync("malformed", endpoint);
        JsonElement root = result.RootElement;

        // RFC 9113 §8.2.1 / §8.1.1: a malformed request is a stream error of type PROTOCOL_ERROR.
        JsonElement bad = root.GetProperty("bad");
        Assert.Equal(JsonValueKind.Null, bad.GetProperty("status").ValueKind);
        Assert.Equal(1, bad.GetProperty("reset").GetInt32()); // PROTOCOL_ERROR

        Assert.Equal(JsonValueKind.Null, root.GetProperty("terminated").ValueKind);
        JsonElement good = root.GetProperty("good");
        Assert.Equal(200, good.GetProperty("status").GetInt32());
        Assert.Equal("Hello World\n", good.GetProperty("body_text").GetString());
    }

    private async Task<JsonDocument> RunAsync(string mode, string endpoint)
    {
        string python = await ExternalTool.PythonWithH2Async();
        Assert.True(File.Exists(Script), $"{Script} is missing from the test output");
        Uri url = defaults.Server.Url(endpoint);
        ToolResult run = await ExternalTool.RunAsync(
            python, [Script, mode, url.Host, url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ServerEndpoint.Parse(endpoint).Tls ? "1" : "0"],
            TimeSpan.FromSeconds(40));
        Assert.True(run.ExitCode == 0, run.Describe());
        try
        {
            return JsonDocument.Parse(run.StdOut);
        }
        catch (JsonException ex)
        {
            Assert.Fail($"the script did not print JSON ({ex.Message}):\n{run.Describe()}");
            throw;
        }
    }
}
