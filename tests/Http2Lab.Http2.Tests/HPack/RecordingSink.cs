using System.Text;
using Http2Lab.Http2.HPack;

namespace Http2Lab.Http2.Tests.HPack;

/// <summary>Collects decoded fields as Latin-1 strings.</summary>
internal sealed class RecordingSink : IHeaderFieldSink
{
    public List<(string Name, string Value, bool NeverIndexed)> Fields { get; } = [];

    public IEnumerable<(string Name, string Value)> Pairs => Fields.Select(f => (f.Name, f.Value));

    public void OnHeaderField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool neverIndexed) =>
        Fields.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value), neverIndexed));
}
