using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Http2Lab.Interop.Tests.Infrastructure;
using Http2Lab.Samples.AspNetCoreApp;
using Microsoft.Extensions.DependencyInjection;

namespace Http2Lab.Interop.Tests.AspNetCore;

/// <summary>
/// An ordinary ASP.NET Core application (the sample's) on Http2Lab, driven by HttpClient over real sockets: what
/// the framework gives for free works because the server fills the features it reads.
/// </summary>
[Collection(AspNetCoreCollection.Name)]
public sealed class AspNetCoreAppTests(AspNetCoreServer server)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private Http2TestClient Client(string endpoint) => new(server.Url(endpoint), timeout: Bound);

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Route_template_and_json_binding_work_on_every_dispatcher(string endpoint)
    {
        using var client = Client(endpoint);

        using HttpResponseMessage hello = await client.Client.GetAsync("/hello/lab");
        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Equal(new Version(2, 0), hello.Version);
        Assert.Equal("Hello, lab!", await hello.Content.ReadAsStringAsync());

        using HttpResponseMessage created = await client.Client.PostAsJsonAsync("/todos", new Todo(42, "  write tests  ", Done: false));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/todos/42", created.Headers.Location?.OriginalString);
        Assert.Equal(new Todo(42, "write tests", false), await created.Content.ReadFromJsonAsync<Todo>());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task Static_file_has_its_content_type_and_answers_304_to_its_etag(string endpoint)
    {
        using var client = Client(endpoint);
        string expected = await File.ReadAllTextAsync(Path.Combine(AspNetCoreServer.ContentRoot, "wwwroot", "site.css"));

        using HttpResponseMessage first = await client.Client.GetAsync("/site.css");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/css", first.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await first.Content.ReadAsStringAsync());
        EntityTagHeaderValue etag = Assert.IsType<EntityTagHeaderValue>(first.Headers.ETag);

        using var again = Http2TestClient.Request(HttpMethod.Get, "/site.css");
        again.Headers.IfNoneMatch.Add(etag);
        using HttpResponseMessage notModified = await client.Client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task Range_request_gets_206_and_the_range(string endpoint)
    {
        using var client = Client(endpoint);
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(AspNetCoreServer.ContentRoot, "wwwroot", "index.html"));

        using var request = Http2TestClient.Request(HttpMethod.Get, "/index.html");
        request.Headers.Range = new RangeHeaderValue(10, 29);
        using HttpResponseMessage response = await client.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes 10-29/{file.Length}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(file[10..30], await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task Response_compression_gzips_when_the_client_accepts_it(string endpoint)
    {
        using var client = Client(endpoint);
        string expected = await File.ReadAllTextAsync(Path.Combine(AspNetCoreServer.ContentRoot, "wwwroot", "index.html"));

        using var request = Http2TestClient.Request(HttpMethod.Get, "/index.html");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using HttpResponseMessage response = await client.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        Assert.Equal(expected, await reader.ReadToEndAsync());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task An_exception_becomes_problem_details(string endpoint)
    {
        using var client = Client(endpoint);

        using HttpResponseMessage response = await client.Client.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(500, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_scoped_service_is_one_per_request(string endpoint)
    {
        using var client = Client(endpoint);

        using JsonDocument first = JsonDocument.Parse(await client.Client.GetStringAsync("/scoped"));
        using JsonDocument second = JsonDocument.Parse(await client.Client.GetStringAsync("/scoped"));

        Assert.Equal(first.RootElement.GetProperty("first").GetGuid(), first.RootElement.GetProperty("second").GetGuid());
        Assert.NotEqual(first.RootElement.GetProperty("first").GetGuid(), second.RootElement.GetProperty("first").GetGuid());
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]
    public async Task Connection_info_reaches_HttpContext(string endpoint)
    {
        using var client = Client(endpoint);
        Uri url = server.Url(endpoint);

        using JsonDocument info = JsonDocument.Parse(await client.Client.GetStringAsync("/connection"));
        JsonElement root = info.RootElement;

        Assert.Equal("127.0.0.1", root.GetProperty("remoteAddress").GetString());
        Assert.NotEqual(0, root.GetProperty("remotePort").GetInt32());
        Assert.Equal(url.Port, root.GetProperty("localPort").GetInt32());
        Assert.Equal("HTTP/2", root.GetProperty("protocol").GetString());
        Assert.Equal(url.Scheme, root.GetProperty("scheme").GetString());
        Assert.Equal($"127.0.0.1:{url.Port}", root.GetProperty("host").GetString());
        string connectionId = root.GetProperty("connectionId").GetString()!;
        Assert.StartsWith(connectionId + ":", root.GetProperty("traceIdentifier").GetString());
        if (url.Scheme == "https")
        {
            Assert.StartsWith("Tls1", root.GetProperty("tls").GetString());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, root.GetProperty("tls").ValueKind);
        }
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task Response_trailers_reach_the_client(string endpoint)
    {
        using var client = Client(endpoint);

        using var request = Http2TestClient.Request(HttpMethod.Post, "/echo");
        request.Content = new StringContent("ping", Encoding.UTF8, "text/plain");
        using HttpResponseMessage response = await client.Client.SendAsync(request);

        Assert.Equal("ping", await response.Content.ReadAsStringAsync());
        Assert.Equal(["true"], response.TrailingHeaders.GetValues("x-body-complete"));
    }

    [Theory]
    [InlineData("h2c", true)]
    [InlineData("h2", true)]
    [InlineData("h2c", false)]
    [InlineData("h2", false)]
    public async Task Server_sent_events_arrive_one_at_a_time(string endpoint, bool explicitFlush)
    {
        using var client = Client(endpoint);

        // A minute between events: the first can only arrive in time if it is sent before the second is written.
        using var request = Http2TestClient.Request(HttpMethod.Get, $"/events?count=2&intervalMs=60000&flush={explicitFlush}");
        using HttpResponseMessage response = await client.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        string? id = await reader.ReadLineAsync().WaitAsync(Bound);
        string? data = await reader.ReadLineAsync().WaitAsync(Bound);

        Assert.Equal("id: 1", id);
        Assert.StartsWith("data: event 1 ", data);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task A_client_reset_fires_RequestAborted(string endpoint)
    {
        var probe = server.App.Services.GetRequiredService<AbortProbe>();
        probe.Reset();
        using var client = Client(endpoint);

        using (var request = Http2TestClient.Request(HttpMethod.Get, "/wait"))
        using (HttpResponseMessage response = await client.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal("waiting", await reader.ReadLineAsync().WaitAsync(Bound));
        } // disposing the unfinished response sends RST_STREAM (CANCEL)

        string aborted = await probe.Aborted.WaitAsync(Bound);
        Assert.Contains(':', aborted);
    }

    [Theory]
    [MemberData(nameof(ServerMatrix.ReferenceEndpoints), MemberType = typeof(ServerMatrix))]
    public async Task Unknown_paths_get_404_from_the_framework(string endpoint)
    {
        using var client = Client(endpoint);
        using HttpResponseMessage response = await client.Client.GetAsync("/no/such/thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void The_application_knows_the_bound_addresses()
    {
        // app.Urls is IServerAddressesFeature: the real ports, not the configured port 0.
        Assert.Contains(server.Url("h2c").GetLeftPart(UriPartial.Authority), server.App.Urls);
        Assert.Contains(server.Url("h2").GetLeftPart(UriPartial.Authority), server.App.Urls);
        Assert.DoesNotContain(server.App.Urls, url => url.EndsWith(":0", StringComparison.Ordinal));
    }
}
