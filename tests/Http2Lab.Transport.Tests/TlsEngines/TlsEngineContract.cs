using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Http2Lab.Transport.Tls.Engines;

namespace Http2Lab.Transport.Tests.TlsEngines;

/// <summary>
/// What every <see cref="ITlsEngine"/> must do, against a real .NET client <see cref="SslStream"/>: each engine's
/// test class derives from this and supplies its factory.
/// </summary>
public abstract class TlsEngineContract
{
    private static readonly SslApplicationProtocol[] H2 = [SslApplicationProtocol.Http2];
    private static readonly SslApplicationProtocol[] None = [];

    /// <summary>The engine factory under test for <paramref name="certificate"/> and the protocol's ALPN ids.</summary>
    private protected abstract ITlsEngineFactory CreateFactory(X509Certificate2 certificate, IReadOnlyList<SslApplicationProtocol> applicationProtocols);

    [Fact]
    public async Task A_client_offering_h2_negotiates_it_over_TLS_1_3()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, H2);
        await link.HandshakeAsync(EngineTestPeers.Client(SslApplicationProtocol.Http2, SslApplicationProtocol.Http11));

        Assert.Equal(TlsEngineState.Established, link.Engine.State);
        Assert.Equal(SslApplicationProtocol.Http2, link.Engine.NegotiatedApplicationProtocol);
        Assert.Equal(SslApplicationProtocol.Http2, link.Client.NegotiatedApplicationProtocol);
        Assert.Equal(SslProtocols.Tls13, link.Engine.Protocol);
        Assert.Equal(link.Client.NegotiatedCipherSuite, link.Engine.CipherSuite);
        Assert.Null(link.Engine.FailureReason);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12, false)]
    [InlineData(SslProtocols.Tls12, true)]
    [InlineData(SslProtocols.Tls13, false)]
    [InlineData(SslProtocols.Tls13, true)]
    public async Task The_handshake_completes_with_the_version_the_client_allows_and_either_key_type(SslProtocols version, bool rsa)
    {
        X509Certificate2 certificate = rsa ? EngineTestPeers.Rsa : EngineTestPeers.Ecdsa;
        await using var link = Connect(certificate, H2);
        await link.HandshakeAsync(EngineTestPeers.Client(certificate, version, SslApplicationProtocol.Http2));

        Assert.Equal(TlsEngineState.Established, link.Engine.State);
        Assert.Equal(version, link.Engine.Protocol);
        Assert.Equal(version, link.Client.SslProtocol);
        Assert.Equal(link.Client.NegotiatedCipherSuite, link.Engine.CipherSuite);
        Assert.Equal(SslApplicationProtocol.Http2, link.Engine.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task The_server_picks_the_first_of_its_own_ids_that_the_client_offers()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);
        await link.HandshakeAsync(EngineTestPeers.Client(SslApplicationProtocol.Http11, SslApplicationProtocol.Http2));

        Assert.Equal(SslApplicationProtocol.Http2, link.Engine.NegotiatedApplicationProtocol);
        Assert.Equal(SslApplicationProtocol.Http2, link.Client.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task A_client_offering_only_http11_is_refused_with_the_ALPN_reason()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, H2);
        Task handshake = link.Client.AuthenticateAsClientAsync(EngineTestPeers.Client(SslApplicationProtocol.Http11));
        await link.RunUntilAsync(handshake);

        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        Assert.Equal(TlsEngineState.Failed, link.Engine.State);
        Assert.Matches("(?i)ALPN|application protocol", link.Engine.FailureReason);
    }

    [Fact]
    public async Task Without_required_ALPN_a_client_offering_none_is_accepted()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, None);
        await link.HandshakeAsync(EngineTestPeers.Client());

        Assert.Equal(TlsEngineState.Established, link.Engine.State);
        Assert.Equal(default, link.Engine.NegotiatedApplicationProtocol);
        Assert.Equal(default, link.Client.NegotiatedApplicationProtocol);
    }

    [Fact]
    public async Task Without_required_ALPN_a_client_offering_h2_negotiates_no_protocol()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, None);
        await link.HandshakeAsync(EngineTestPeers.Client(SslApplicationProtocol.Http2));

        Assert.Equal(TlsEngineState.Established, link.Engine.State);
        Assert.Equal(default, link.Engine.NegotiatedApplicationProtocol);
        Assert.Equal(default, link.Client.NegotiatedApplicationProtocol);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")]
    public void Garbage_instead_of_a_ClientHello_fails_the_session_without_an_exception(string garbage)
    {
        using ITlsEngineFactory factory = CreateFactory(EngineTestPeers.Ecdsa, H2);
        using ITlsEngine engine = factory.Create();

        engine.FeedCiphertext(Encoding.ASCII.GetBytes(garbage));

        Assert.Equal(TlsEngineState.Failed, engine.State);
        Assert.False(string.IsNullOrWhiteSpace(engine.FailureReason));
        engine.FeedCiphertext("more garbage"u8); // ignored, not thrown
        Assert.Equal(0, engine.ReadPlaintext(new byte[100]));
        Assert.False(engine.HasPlaintext);
        engine.AdvanceCiphertext(engine.PendingCiphertext.Length); // whatever alert it queued
        engine.Close();
    }

    [Fact]
    public async Task Data_flows_both_ways()
    {
        await using var link = await EstablishedAsync();
        await link.Client.WriteAsync("hello server"u8.ToArray());
        await link.RunUntilAsync(() => link.Received.Length == 12);
        Assert.Equal("hello server", Encoding.ASCII.GetString(link.Received));

        link.Engine.WritePlaintext("hello client"u8);
        var answer = new byte[12];
        Task read = link.Client.ReadExactlyAsync(answer).AsTask();
        await link.RunUntilAsync(read);
        await read;
        Assert.Equal("hello client", Encoding.ASCII.GetString(answer));
    }

    [Fact]
    public async Task One_MiB_in_one_WritePlaintext_reaches_the_client_intact()
    {
        await using var link = await EstablishedAsync();
        byte[] data = Pattern(1024 * 1024);
        link.Engine.WritePlaintext(data);
        Assert.True(link.Engine.PendingCiphertext.Length > data.Length, "all of it is encrypted in the one call");

        var received = new byte[data.Length];
        Task read = link.Client.ReadExactlyAsync(received).AsTask();
        await link.RunUntilAsync(read);
        await read;
        Assert.True(data.AsSpan().SequenceEqual(received));
        Assert.Equal(0, link.Engine.PendingCiphertext.Length);
    }

    [Fact]
    public async Task One_MiB_from_the_client_is_read_intact_through_a_small_destination()
    {
        await using var link = await EstablishedAsync();
        link.ReadBufferSize = 1000; // smaller than a record: HasPlaintext must report what is left
        byte[] data = Pattern(1024 * 1024);
        Task write = link.Client.WriteAsync(data).AsTask();
        await link.RunUntilAsync(() => write.IsCompleted && link.Received.Length == data.Length);
        await write;
        Assert.True(data.AsSpan().SequenceEqual(link.Received));
    }

    [Fact]
    public async Task A_megabyte_echoes_back_through_partial_socket_writes()
    {
        await using var link = await EstablishedAsync();
        link.Echo = true;
        link.SendChunk = 5000; // the socket takes a little at a time: AdvanceCiphertext with partial counts
        byte[] data = Pattern(1024 * 1024);
        var echoed = new byte[data.Length];
        Task write = link.Client.WriteAsync(data).AsTask();
        Task read = link.Client.ReadExactlyAsync(echoed).AsTask();
        await link.RunUntilAsync(() => write.IsCompleted && read.IsCompleted);
        await Task.WhenAll(write, read);
        Assert.True(data.AsSpan().SequenceEqual(echoed));
    }

    [Fact]
    public async Task HasPlaintext_stays_true_until_every_decrypted_octet_was_read()
    {
        await using var link = await EstablishedAsync();
        link.ReadsPlaintext = false;
        byte[] data = Pattern(5000);
        await link.Client.WriteAsync(data);
        await link.RunUntilAsync(() => link.Engine.HasPlaintext);

        var read = new List<byte>();
        var destination = new byte[100];
        for (int guard = 0; link.Engine.HasPlaintext && guard < 1000; guard++)
        {
            int count = link.Engine.ReadPlaintext(destination);
            read.AddRange(destination.AsSpan(0, count).ToArray());
        }

        Assert.Equal(data, read);
        Assert.False(link.Engine.HasPlaintext);
        Assert.Equal(0, link.Engine.ReadPlaintext(destination));
    }

    [Fact]
    public async Task Ciphertext_fed_one_octet_at_a_time_completes_the_handshake_and_carries_data()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, H2);
        link.FeedChunk = 1;
        link.Echo = true;
        await link.HandshakeAsync(EngineTestPeers.Client(SslApplicationProtocol.Http2));
        Assert.Equal(TlsEngineState.Established, link.Engine.State);

        await link.Client.WriteAsync("one octet at a time"u8.ToArray());
        var echoed = new byte[19];
        Task read = link.Client.ReadExactlyAsync(echoed).AsTask();
        await link.RunUntilAsync(read);
        await read;
        Assert.Equal("one octet at a time", Encoding.ASCII.GetString(echoed));
    }

    [Fact]
    public async Task Close_notify_from_the_client_closes_the_session_after_its_data()
    {
        await using var link = await EstablishedAsync();
        await link.Client.WriteAsync("last words"u8.ToArray());
        await link.Client.ShutdownAsync();
        await link.RunUntilAsync(() => link.Engine.State != TlsEngineState.Established);

        Assert.Equal(TlsEngineState.Closed, link.Engine.State);
        Assert.Equal("last words", Encoding.ASCII.GetString(link.Received));
        Assert.Equal(0, link.Engine.ReadPlaintext(new byte[100]));
        Assert.False(link.Engine.HasPlaintext);
    }

    [Fact]
    public async Task Close_sends_close_notify_so_the_clients_read_returns_zero()
    {
        await using var link = await EstablishedAsync();
        link.Engine.WritePlaintext("bye"u8);
        link.Engine.Close();
        Assert.Equal(TlsEngineState.Closed, link.Engine.State);

        var buffer = new byte[10];
        var bye = new byte[3];
        Task<int> read = ReadThenEndAsync(link.Client, bye, buffer);
        await link.RunUntilAsync(read); // the transport stays open: only close_notify can end the read
        Assert.Equal(0, await read);
        Assert.Equal("bye", Encoding.ASCII.GetString(bye));
    }

    [Fact]
    public async Task Plaintext_written_before_the_handshake_completed_is_dropped()
    {
        await using var link = Connect(EngineTestPeers.Ecdsa, H2);
        link.Engine.WritePlaintext("too early"u8);
        Assert.Equal(0, link.Engine.PendingCiphertext.Length);
        Assert.False(link.Engine.HasPlaintext);
        await link.HandshakeAsync(EngineTestPeers.Client(SslApplicationProtocol.Http2));

        link.Engine.WritePlaintext("on time"u8);
        var received = new byte[7];
        Task read = link.Client.ReadExactlyAsync(received).AsTask();
        await link.RunUntilAsync(read);
        await read;
        Assert.Equal("on time", Encoding.ASCII.GetString(received));
    }

    [Fact]
    public void A_session_can_be_disposed_twice_and_its_factory_before_it()
    {
        ITlsEngineFactory factory = CreateFactory(EngineTestPeers.Ecdsa, H2);
        ITlsEngine engine = factory.Create();
        factory.Dispose();
        Assert.Equal(TlsEngineState.Handshaking, engine.State);
        engine.Dispose();
        engine.Dispose();
    }

    private protected TlsEngineLink Connect(X509Certificate2 certificate, IReadOnlyList<SslApplicationProtocol> alpn)
    {
        ITlsEngineFactory factory = CreateFactory(certificate, alpn);
        try
        {
            return new TlsEngineLink(factory.Create());
        }
        finally
        {
            factory.Dispose(); // sessions already made outlive their factory
        }
    }

    private protected async Task<TlsEngineLink> EstablishedAsync()
    {
        TlsEngineLink link = Connect(EngineTestPeers.Ecdsa, H2);
        await link.HandshakeAsync(EngineTestPeers.Client(SslApplicationProtocol.Http2));
        return link;
    }

    private static byte[] Pattern(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    private static async Task<int> ReadThenEndAsync(SslStream client, byte[] expected, byte[] rest)
    {
        await client.ReadExactlyAsync(expected);
        return await client.ReadAsync(rest);
    }
}
