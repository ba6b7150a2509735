using Http2Lab.Client.Probe;

namespace Http2Lab.Samples.Client;

/// <summary><c>--probe</c>: the conformance probe against each URL; exit code 0 only when every case is as the RFC requires.</summary>
internal static class ProbeMode
{
    public static async Task<int> RunAsync(CliOptions options, CancellationToken cancellationToken)
    {
        bool allPassed = true;
        foreach (string url in options.Urls)
        {
            Http2ProbeReport report = await Http2Probe.RunAsync(new Uri(url), new Http2ProbeOptions { ValidateCertificate = !options.Insecure }, cancellationToken);
            Console.Write(report);
            allPassed &= report.AllPassed;
        }

        return allPassed ? 0 : 2;
    }
}
