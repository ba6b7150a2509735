namespace Http2Lab.Http2.Frames;

/// <summary>The stream dependency fields of PRIORITY and of HEADERS with the PRIORITY flag (RFC 9113 §5.3.2, §6.3).</summary>
/// <param name="Dependency">The stream this one depends on.</param>
/// <param name="Exclusive">The E bit.</param>
/// <param name="Weight">The weight octet (weight minus one).</param>
internal readonly record struct PriorityFields(int Dependency, bool Exclusive, byte Weight);
