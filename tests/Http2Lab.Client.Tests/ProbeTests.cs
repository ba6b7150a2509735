using Http2Lab.Client.Probe;
using Http2Lab.Client.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Http2Lab.Client.Tests;

/// <summary>The probe (<c>--probe</c>) against our own server, where every case must come out as the RFC requires, and against nghttpd.</summary>
[Collection(ServerCollection.Name)]
public sealed class ProbeTests(ClientTestServerFixture server, NghttpdFixture nghttpd, ITestOutputHelper output)
{
    private static readonly Http2ProbeOptions Lab = new() { ValidateCertificate = false };

    [Theory]
    [InlineData("Async-h2c")]
    [InlineData("Async-h2")]
    [InlineData("Poll-h2c")]
    public async Task Our_server_answers_every_case_as_the_RFC_requires(string endpoint)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        Http2ProbeReport report = await Http2Probe.RunAsync(new Uri(server.Server.Url(endpoint, "/")), Lab, cancel.Token);

        output.WriteLine(report.ToString());
        Assert.Equal(Http2Probe.Cases.Count, report.Results.Count);
        Assert.True(report.AllPassed, report.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_probe_completes_against_nghttpd_with_a_report(bool tls)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        Http2ProbeReport report = await Http2Probe.RunAsync(await nghttpd.UrlAsync(tls), Lab, cancel.Token);

        output.WriteLine(report.ToString());
        Assert.Equal(Http2Probe.Cases.Count, report.Results.Count);
        Assert.DoesNotContain(report.Results, r => r.Outcome.Kind == Http2ProbeOutcomeKind.Error);
        Assert.Contains(report.Results, r => r.Case.Name == "valid GET" && r.Passed);
        Assert.Contains($"of {Http2Probe.Cases.Count} cases", report.ToString());
    }
}
