namespace Http2Lab.Http2.Tests.HPack;

/// <summary>The header list sequences of RFC 7541 Appendix C.3 to C.6, transcribed from the RFC.</summary>
internal static class RfcExamples
{
    private static readonly (string, string)[] s_request1 =
        [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];

    private static readonly (string, string)[] s_request2 =
        [.. s_request1, ("cache-control", "no-cache")];

    private static readonly (string, string)[] s_request3 =
    [
        (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"),
        ("custom-key", "custom-value"),
    ];

    private static readonly (string, string)[] s_requestTable1 = [(":authority", "www.example.com")];
    private static readonly (string, string)[] s_requestTable2 = [("cache-control", "no-cache"), .. s_requestTable1];
    private static readonly (string, string)[] s_requestTable3 = [("custom-key", "custom-value"), .. s_requestTable2];

    private const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
    private const string Date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
    private const string Location = "https://www.example.com";
    private const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

    private static readonly (string, string)[] s_response1 =
        [(":status", "302"), ("cache-control", "private"), ("date", Date1), ("location", Location)];

    private static readonly (string, string)[] s_response2 =
        [(":status", "307"), ("cache-control", "private"), ("date", Date1), ("location", Location)];

    private static readonly (string, string)[] s_response3 =
    [
        (":status", "200"), ("cache-control", "private"), ("date", Date2), ("location", Location),
        ("content-encoding", "gzip"), ("set-cookie", Cookie),
    ];

    private static readonly (string, string)[] s_responseTable1 =
        [("location", Location), ("date", Date1), ("cache-control", "private"), (":status", "302")];

    private static readonly (string, string)[] s_responseTable2 =
        [(":status", "307"), ("location", Location), ("date", Date1), ("cache-control", "private")];

    private static readonly (string, string)[] s_responseTable3 =
        [("set-cookie", Cookie), ("content-encoding", "gzip"), ("date", Date2)];

    /// <summary>C.3, requests without Huffman coding (table size 4096).</summary>
    public static readonly RfcExampleStep[] C3 =
    [
        new("8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", s_request1, s_requestTable1, 57),
        new("8286 84be 5808 6e6f 2d63 6163 6865", s_request2, s_requestTable2, 110),
        new(
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
            s_request3,
            s_requestTable3,
            164),
    ];

    /// <summary>C.4, requests with Huffman coding (table size 4096).</summary>
    public static readonly RfcExampleStep[] C4 =
    [
        new("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", s_request1, s_requestTable1, 57),
        new("8286 84be 5886 a8eb 1064 9cbf", s_request2, s_requestTable2, 110),
        new(
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
            s_request3,
            s_requestTable3,
            164),
    ];

    /// <summary>C.5, responses without Huffman coding (table size 256).</summary>
    public static readonly RfcExampleStep[] C5 =
    [
        new(
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 " +
            "2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 " +
            "6c65 2e63 6f6d",
            s_response1,
            s_responseTable1,
            222),
        new("4803 3330 37c1 c0bf", s_response2, s_responseTable2, 222),
        new(
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d " +
            "54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 " +
            "5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e " +
            "3d31",
            s_response3,
            s_responseTable3,
            215),
    ];

    /// <summary>C.6, responses with Huffman coding (table size 256).</summary>
    public static readonly RfcExampleStep[] C6 =
    [
        new(
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 " +
            "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            s_response1,
            s_responseTable1,
            222),
        new("4883 640e ffc1 c0bf", s_response2, s_responseTable2, 222),
        new(
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab " +
            "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f " +
            "9587 3160 65c0 03ed 4ee5 b106 3d50 07",
            s_response3,
            s_responseTable3,
            215),
    ];

    /// <summary>Looks an example up by its section name, with the table size the RFC uses for it.</summary>
    public static (RfcExampleStep[] Steps, int TableSize) Get(string section) => section switch
    {
        "C.3" => (C3, 4096),
        "C.4" => (C4, 4096),
        "C.5" => (C5, 256),
        "C.6" => (C6, 256),
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };
}
