using System.CommandLine;
using Http2Lab.Samples.Client;

// The lab's HTTP/2 client on the command line, curl-like where curl has the option:
//   http2lab-client [options] URL...            the body to stdout (-o FILE), -i for the response head
//   http2lab-client -n 10000 -c 4 -m 10 URL     quick load mode with a summary (like h2load)
//   http2lab-client --probe URL                 the conformance probe, one line per case
//   http2lab-client --ping 10 URL               ten PINGs on the origin's connection, each round trip timed
var urls = new Argument<string[]>("URL") { Arity = ArgumentArity.OneOrMore, Description = "http:// (h2c, prior knowledge) or https:// (TLS, ALPN h2) URLs" };
var output = new Option<string?>("--output", "-o") { Description = "Write the body to FILE instead of stdout" };
var insecure = new Option<bool>("--insecure", "-k") { Description = "Do not validate the server's certificate (labs, self-signed certificates)" };
var method = new Option<string?>("--request", "-X") { Description = "Request method (default: GET, or POST with -d)" };
var headers = new Option<string[]>("--header", "-H") { Description = "Extra header 'Name: value' (repeatable)" };
var data = new Option<string?>("--data", "-d") { Description = "Request body; @FILE reads it from FILE (sent as application/octet-stream), text is sent as text/plain; charset=utf-8" };
var include = new Option<bool>("--include", "-i") { Description = "Write the response status and headers before the body" };
var requests = new Option<int>("--requests", "-n") { Description = "Load mode: total number of requests (spread over the URLs)" };
var clients = new Option<int>("--clients", "-c") { Description = "Load mode: connections", DefaultValueFactory = _ => 1 };
var streams = new Option<int>("--max-concurrent-streams", "-m") { Description = "Load mode: concurrent requests per connection", DefaultValueFactory = _ => 1 };
var verbose = new Option<bool>("--verbose", "-v") { Description = "Trace every frame sent and received on stderr" };
var probe = new Option<bool>("--probe") { Description = "Run the conformance probe (malformed payloads, RFC 9113 edge cases) and print its report" };
var ping = new Option<int>("--ping") { Description = "Send N PINGs, one after another, on each URL's connection and print each round trip (no request)" };

var root = new RootCommand("HTTP/2 client of Http2Lab (same protocol core as the server): requests, a quick load mode, PING round trips, a conformance probe.");
foreach (Option option in (Option[])[output, insecure, method, headers, data, include, requests, clients, streams, verbose, probe, ping])
{
    root.Options.Add(option);
}

root.Arguments.Add(urls);
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new CliOptions(
        parse.GetValue(urls) ?? [], parse.GetValue(output), parse.GetValue(insecure), parse.GetValue(method), parse.GetValue(headers) ?? [],
        parse.GetValue(data), parse.GetValue(include), parse.GetValue(requests), parse.GetValue(clients), parse.GetValue(streams),
        parse.GetValue(verbose), parse.GetValue(probe), parse.GetValue(ping));
    try
    {
        return options.Probe ? await ProbeMode.RunAsync(options, cancellationToken)
            : options.Pings > 0 ? await PingMode.RunAsync(options, cancellationToken)
            : options.IsLoad ? await LoadMode.RunAsync(options, cancellationToken)
            : await RequestMode.RunAsync(options, cancellationToken);
    }
    catch (Exception ex) when (ex is Http2Lab.Client.Http2ClientException or IOException or UriFormatException or ArgumentException)
    {
        await Console.Error.WriteLineAsync($"http2lab-client: {ex.Message}");
        return 1;
    }
});

// curl's "-d @FILE" must reach -d as is, not be expanded as a System.CommandLine response file.
return await root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync();
