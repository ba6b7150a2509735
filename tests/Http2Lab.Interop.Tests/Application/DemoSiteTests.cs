using System.Text;
using Http2Lab.Http2.Frames;
using Http2Lab.Samples.WebHost;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>The sample's demo site (<see cref="DemoSite"/>), on a host of its own.</summary>
public sealed class DemoSiteTests
{
    [Fact]
    public async Task Index_links_every_page_and_redir_leads_to_ok()
    {
        await using AppHost host = await AppHost.StartAsync(routes: DemoSite.Map);
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse index = await client.SendAndReadAsync("GET", "/demo");
        RawResponse redirect = await client.SendAndReadAsync("GET", "/demo/redir");
        RawResponse ok = await client.SendAndReadAsync("GET", redirect.Header("location") ?? "/missing");
        RawResponse longPage = await client.SendAndReadAsync("GET", "/demo/long");

        Assert.Equal(200, index.Status);
        foreach (string page in new[] { "/demo/redir", "/demo/long", "/demo/slow", "/demo/body", "/demo/event-stream" })
        {
            Assert.Contains($"href=\"{page}\"", index.BodyText, StringComparison.Ordinal);
        }

        Assert.Equal(301, redirect.Status);
        Assert.Equal("/demo/ok", redirect.Header("location"));
        Assert.Equal(200, ok.Status);
        Assert.True(longPage.Body.Length > 100_000, $"{longPage.Body.Length} octets");
    }

    [Fact]
    public async Task Body_echoes_what_was_posted_decoded()
    {
        await using AppHost host = await AppHost.StartAsync(routes: DemoSite.Map);
        await using RawH2Client client = await host.ConnectAsync();

        byte[] latin1 = Encoding.Latin1.GetBytes("Grüße <b>");
        int stream = await client.SendRequestAsync("POST", "/demo/body", endStream: false, ("content-type", "text/plain; charset=iso-8859-1"));
        await client.SendDataAsync(stream, latin1, endStream: true);
        RawResponse response = await client.ReadResponseAsync(stream);

        Assert.Equal(200, response.Status);
        Assert.Contains("<pre>Gr&#252;&#223;e &lt;b&gt;</pre>", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Event_stream_sends_its_first_event_at_once()
    {
        await using AppHost host = await AppHost.StartAsync(routes: DemoSite.Map);
        await using RawH2Client client = await host.ConnectAsync();

        int stream = await client.SendRequestAsync("GET", "/demo/event-stream");
        Frame headers = await client.ReadFrameAsync(stream);
        // Well before the second event (one a second) is due.
        Frame first = await client.ReadFrameAsync(stream, TimeSpan.FromSeconds(5));
        await client.SendRstStreamAsync(stream, Http2ErrorCode.Cancel);

        Assert.Equal(FrameType.Headers, headers.Type);
        Assert.StartsWith("data: event 0 at ", Encoding.UTF8.GetString(first.Content), StringComparison.Ordinal);
    }
}
