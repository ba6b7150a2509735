namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>Length and FNV-1a hash of octets seen in pieces: equal digests mean the same octets in the same order.</summary>
internal struct BodyDigest : IEquatable<BodyDigest>
{
    private const ulong Prime = 1_099_511_628_211;

    private ulong _hash;

    public BodyDigest() => _hash = 14_695_981_039_346_656_037;

    public long Length { get; private set; }

    public void Add(ReadOnlySpan<byte> octets)
    {
        foreach (byte b in octets)
        {
            _hash = (_hash ^ b) * Prime;
        }

        Length += octets.Length;
    }

    public readonly bool Equals(BodyDigest other) => _hash == other._hash && Length == other.Length;

    public override readonly bool Equals(object? obj) => obj is BodyDigest other && Equals(other);

    public override readonly int GetHashCode() => _hash.GetHashCode();

    public override readonly string ToString() => $"{Length} octets, hash {_hash:x16}";
}
