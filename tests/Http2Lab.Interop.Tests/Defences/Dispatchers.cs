namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// The dispatchers every defence is tested against: all four, over h2c and over TLS. Test cases take
/// <c>(string dispatcher, bool tls)</c>.
/// </summary>
public static class Dispatchers
{
    public const string Async = "Async";
    public const string SingleClient = "SingleClient";
    public const string ThreadPerConnection = "ThreadPerConnection";
    public const string Poll = "Poll";

    /// <summary>Every dispatcher over h2c and over TLS.</summary>
    public static TheoryData<string, bool> All => new()
    {
        { Async, false },
        { SingleClient, false },
        { ThreadPerConnection, false },
        { Poll, false },
        { Async, true },
        { SingleClient, true },
        { ThreadPerConnection, true },
        { Poll, true },
    };

    /// <summary>Every dispatcher over TLS.</summary>
    public static TheoryData<string, bool> Tls => new()
    {
        { Async, true },
        { SingleClient, true },
        { ThreadPerConnection, true },
        { Poll, true },
    };

    /// <summary>
    /// The dispatchers that serve clients side by side (all but SingleClient), over h2c and TLS: those whose
    /// connection limit can be reached.
    /// </summary>
    public static TheoryData<string, bool> Concurrent => new()
    {
        { Async, false },
        { ThreadPerConnection, false },
        { Poll, false },
        { Async, true },
        { ThreadPerConnection, true },
        { Poll, true },
    };
}
