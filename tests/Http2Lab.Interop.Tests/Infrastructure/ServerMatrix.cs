namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>One endpoint of the shared server: a dispatcher, over cleartext (h2c) or TLS (ALPN h2).</summary>
/// <param name="Dispatcher">The dispatcher's configuration name, e.g. <c>SingleClient</c>.</param>
/// <param name="Tls">https (TLS, ALPN h2) rather than http (h2c with prior knowledge).</param>
public sealed record ServerEndpoint(string Dispatcher, bool Tls)
{
    /// <summary>The endpoint's configuration name, and the string theories pass around: <c>Poll-h2c</c>, <c>Async-h2</c>.</summary>
    public string Name => $"{Dispatcher}-{(Tls ? "h2" : "h2c")}";

    /// <summary>The endpoint called <paramref name="name"/> in <see cref="ServerMatrix.All"/> (or an alias: <c>h2c</c>, <c>h2</c>).</summary>
    public static ServerEndpoint Parse(string name) =>
        ServerMatrix.All.FirstOrDefault(e => e.Name == ServerMatrix.Resolve(name))
        ?? throw new ArgumentOutOfRangeException(nameof(name), name, $"not an endpoint of the test server (known: {string.Join(", ", ServerMatrix.All.Select(e => e.Name))}, h2c, h2)");

    public override string ToString() => Name;
}

/// <summary>
/// Every (dispatcher, transport) combination the server supports, and the theory data built from it. The
/// in-process <see cref="TestServer"/> listens on one endpoint per entry, named <see cref="ServerEndpoint.Name"/>.
/// Theories take the endpoint name (a string, so each case is its own test case in the runner and its name reads
/// <c>(endpoint: "SingleClient-h2")</c>).
/// </summary>
public static class ServerMatrix
{
    public const string Async = "Async";
    public const string SingleClient = "SingleClient";
    public const string ThreadPerConnection = "ThreadPerConnection";
    public const string Poll = "Poll";

    /// <summary>
    /// The matrix: every dispatcher over h2c and over TLS. A combination a dispatcher cannot serve yet (a start-up
    /// configuration error, as Poll over https was until its TLS engine landed) is left out; adding it is one line.
    /// </summary>
    public static readonly IReadOnlyList<ServerEndpoint> All =
    [
        new(Async, Tls: false),
        new(Async, Tls: true),
        new(SingleClient, Tls: false),
        new(SingleClient, Tls: true),
        new(ThreadPerConnection, Tls: false),
        new(ThreadPerConnection, Tls: true),
        new(Poll, Tls: false),
        new(Poll, Tls: true),
    ];

    /// <summary>
    /// The endpoint for tests that stay on one dispatcher per transport (heavy ones; see each test for why): the
    /// Async dispatcher, which the old <c>h2c</c>/<c>h2</c> names stand for.
    /// </summary>
    public static ServerEndpoint Reference(bool tls) => new(Async, tls);

    /// <summary>Every endpoint: <c>[MemberData(nameof(ServerMatrix.Endpoints), MemberType = typeof(ServerMatrix))]</c>.</summary>
    public static TheoryData<string> Endpoints => Names(All);

    /// <summary>Every cleartext endpoint (one per dispatcher), for tests that speak raw TCP.</summary>
    public static TheoryData<string> CleartextEndpoints => Names(All.Where(e => !e.Tls));

    /// <summary>The Async dispatcher over h2c and over TLS: for tests too heavy to repeat on every dispatcher.</summary>
    public static TheoryData<string> ReferenceEndpoints => Names([Reference(tls: false), Reference(tls: true)]);

    /// <summary>The old endpoint names, kept as aliases of the Async endpoints.</summary>
    internal static string Resolve(string name) => name switch
    {
        "h2c" => Reference(tls: false).Name,
        "h2" => Reference(tls: true).Name,
        _ => name,
    };

    private static TheoryData<string> Names(IEnumerable<ServerEndpoint> endpoints)
    {
        var data = new TheoryData<string>();
        foreach (ServerEndpoint endpoint in endpoints)
        {
            data.Add(endpoint.Name);
        }

        return data;
    }
}
