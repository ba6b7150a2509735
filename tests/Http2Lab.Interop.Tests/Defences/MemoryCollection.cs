namespace Http2Lab.Interop.Tests.Defences;

/// <summary>
/// Memory is measured for the whole test process, so tests that assert on it run alone: xunit runs a collection with
/// parallelization disabled after all others, with nothing beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryCollection
{
    public const string Name = "Defences: memory (runs alone)";
}
