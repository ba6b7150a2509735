using System.Text;
using Http2Lab.Client;

namespace Http2Lab.Samples.Client;

/// <summary>One request per URL, all on the client's connections at once; bodies to stdout (or <c>-o</c>) in URL order.</summary>
internal static class RequestMode
{
    public static async Task<int> RunAsync(CliOptions options, CancellationToken cancellationToken)
    {
        await using var client = new Http2Client(ClientOptions(options));
        Task<Http2ClientResponse>[] responses = [.. options.Urls.Select(url => client.SendAsync(BuildRequest(options, url), cancellationToken))];
        await using Stream output = options.OutputPath is { } path ? File.Create(path) : Console.OpenStandardOutput();
        int exitCode = 0;
        foreach (Task<Http2ClientResponse> pending in responses)
        {
            try
            {
                await using Http2ClientResponse response = await pending;
                if (options.Include)
                {
                    var head = new StringBuilder($"HTTP/2 {response.StatusCode}\r\n");
                    foreach ((string name, string value) in response.Headers)
                    {
                        head.Append(name).Append(": ").Append(value).Append("\r\n");
                    }

                    await output.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), cancellationToken);
                }

                await response.Body.CopyToAsync(output, cancellationToken);
                if (options.Include && response.Trailers.Count > 0)
                {
                    var trailers = new StringBuilder();
                    foreach ((string name, string value) in response.Trailers)
                    {
                        trailers.Append(name).Append(": ").Append(value).Append("\r\n");
                    }

                    await output.WriteAsync(Encoding.ASCII.GetBytes(trailers.ToString()), cancellationToken);
                }
            }
            catch (Http2ClientException ex)
            {
                await Console.Error.WriteLineAsync($"http2lab-client: {ex.Message}");
                exitCode = 1;
            }
        }

        await output.FlushAsync(cancellationToken);
        return exitCode;
    }

    public static Http2ClientOptions ClientOptions(CliOptions options) => new()
    {
        ValidateCertificate = !options.Insecure,
        FrameTrace = options.Verbose ? line => Console.Error.WriteLine("* " + line) : null,
    };

    /// <summary>The request for <paramref name="url"/>: -X, -H and -d applied (a body without -X is a POST).</summary>
    public static Http2ClientRequest BuildRequest(CliOptions options, string url)
    {
        var uri = new Uri(url);
        string method = options.Method ?? (options.Data is null ? "GET" : "POST");
        var request = new Http2ClientRequest(method, uri);
        if (options.Data is { } data)
        {
            if (data.StartsWith('@'))
            {
                request.Content = File.ReadAllBytes(data[1..]);
                request.ContentType = "application/octet-stream";
            }
            else
            {
                request.Content = Encoding.UTF8.GetBytes(data);
                request.ContentType = "text/plain; charset=utf-8";
            }
        }

        foreach (string header in options.Headers)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException($"-H '{header}': expected 'Name: value'");
            }

            request.Headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }

        return request;
    }
}
