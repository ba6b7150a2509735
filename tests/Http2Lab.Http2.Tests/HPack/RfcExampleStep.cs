namespace Http2Lab.Http2.Tests.HPack;

/// <summary>One header list of RFC 7541 Appendix C.3-C.6 with its encoding and the dynamic table afterwards.</summary>
internal sealed record RfcExampleStep(
    string Hex,
    (string Name, string Value)[] Fields,
    (string Name, string Value)[] Table,
    int TableSize);
