using Http2Lab.Client.Tests.Infrastructure;

namespace Http2Lab.Client.Tests;

/// <summary><see cref="Http2Client"/> against h2o over loopback: the shared cases, gzip, and the probe.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientAgainstH2oTests(H2oFixture h2o) : ClientAgainstExternalServerTests(h2o)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_gzip_compressed_body_is_decoded(bool tls)
    {
        await using var test = TestClient.Start();

        await using Http2ClientResponse response = await test.GetAsync(await UrlAsync(tls, "/text.txt"));

        Assert.Equal("gzip", response.ContentEncoding);
        Assert.Equal(ServerFiles.Text, await response.ReadAsStringAsync(test.Token));
    }

    [Fact]
    public async Task The_probe_completes_against_h2o_with_a_report()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        Probe.Http2ProbeReport report = await Probe.Http2Probe.RunAsync(await BaseUrlAsync(tls: false), new() { ValidateCertificate = false }, cancel.Token);

        Assert.Equal(Probe.Http2Probe.Cases.Count, report.Results.Count);
        Assert.Contains(report.Results, r => r.Case.Name == "valid GET" && r.Passed);
    }
}
