namespace Http2Lab.Client.Tests.Infrastructure;

/// <summary>
/// What every end-to-end client test starts with: an <see cref="Http2Client"/> that does not validate certificates
/// (the test servers' are self-signed) and a cancellation that bounds the test, disposed together.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;

    private TestClient(TimeSpan bound)
    {
        _cancel = new CancellationTokenSource(bound);
    }

    /// <summary>A minute, for a test that makes a few requests; large transfers ask for more.</summary>
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(60);

    public Http2Client Client { get; } = new(new Http2ClientOptions { ValidateCertificate = false });

    /// <summary>Cancelled when the test's time is up.</summary>
    public CancellationToken Token => _cancel.Token;

    public static TestClient Start(TimeSpan? bound = null) => new(bound ?? DefaultBound);

    /// <summary>GET <paramref name="url"/>, bounded by <see cref="Token"/>.</summary>
    public Task<Http2ClientResponse> GetAsync(string url) => Client.GetAsync(url, Token);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _cancel.Dispose();
    }
}
