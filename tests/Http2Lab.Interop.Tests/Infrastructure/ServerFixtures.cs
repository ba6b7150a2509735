namespace Http2Lab.Interop.Tests.Infrastructure;

/// <summary>
/// The shared server with the sample's default limits (768 KiB stream / 1 MiB connection receive windows), listening
/// on every endpoint of <see cref="ServerMatrix"/>.
/// </summary>
public sealed class DefaultServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The shared server advertising the RFC 9113 default windows (65535 octets per stream and connection), listening on
/// every endpoint of <see cref="ServerMatrix"/>.
/// </summary>
public sealed class SmallWindowServerFixture : IAsyncLifetime
{
    public const int Window = 65535;

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(limits =>
    {
        limits.InitialStreamWindowSize = Window;
        limits.InitialConnectionWindowSize = Window;
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Every test that talks to the shared servers runs in this collection: one pair of hosts (each with every
/// dispatcher) for the whole run, and no two load tests competing for the 2 cores at the same time (nor two tests
/// for SingleClient's one connection at a time).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedServersCollection : ICollectionFixture<DefaultServerFixture>, ICollectionFixture<SmallWindowServerFixture>
{
    public const string Name = "Shared Http2Lab servers";
}
