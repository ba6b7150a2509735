using System.Net;
using Http2Lab.Transport.Dispatchers;
using Http2Lab.Transport.Echo;
using Http2Lab.Transport.Hosting;
using Http2Lab.Transport.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Tests;

/// <summary>Dispatchers as building blocks: standalone use, registration by name, swappable listener factory.</summary>
public sealed class DispatcherTests
{
    [Fact]
    public async Task The_async_dispatcher_runs_standalone_as_a_hosted_service()
    {
        var factory = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance);
        var endpoint = StandaloneEndpoint.Create("solo", new EndpointOptions { Url = "http://127.0.0.1:0" },
            _ => new EchoProcessor(EchoMode.Lines, 16 * 1024));
        await using var dispatcher = new AsyncDispatcher(endpoint, factory, NullLogger<AsyncDispatcher>.Instance);

        await dispatcher.StartAsync(CancellationToken.None).WaitAsync(TransportTestHost.Timeout);
        Assert.NotNull(dispatcher.BoundUrl);
        Assert.NotEqual(0, dispatcher.BoundUrl.Port);

        await using var client = await LineClient.ConnectAsync(dispatcher.BoundUrl);
        await client.SendAsync("standalone\n");
        Assert.Equal("standalone", await client.ReadLineAsync());

        await dispatcher.StopAsync(CancellationToken.None).WaitAsync(TransportTestHost.Timeout);
        Assert.Equal("", await client.ReadToEndAsync());

        // Unbound: nobody listens there any more.
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(
            () => probe.ConnectAsync(IPAddress.Loopback, dispatcher.BoundUrl.Port).WaitAsync(TransportTestHost.Timeout));
    }

    [Fact]
    public async Task A_dispatcher_registered_under_a_new_name_can_be_chosen_per_endpoint()
    {
        var log = new TestLog();
        var created = 0;
        var host = TransportTestHost.BuildSingle(
            "p", "http://127.0.0.1:0", log: log,
            services: services => services.AddHttp2LabDispatcher("MyAsync", (sp, endpoint) =>
            {
                Interlocked.Increment(ref created);
                return new AsyncDispatcher(endpoint,
                    sp.GetRequiredService<IConnectionListenerFactory>(),
                    sp.GetRequiredService<ILogger<AsyncDispatcher>>());
            }),
            extra: new Dictionary<string, string?> { ["Http2Lab:Endpoints:p:Dispatcher"] = "myasync" });
        try
        {
            var url = await TransportTestHost.StartAsync(host, "p");

            Assert.Equal(1, created);
            Assert.Contains(log.Messages, m => m.EndsWith($"listening on http://127.0.0.1:{url.Port} (dispatcher myasync, protocol Echo)"));
            await using var client = await LineClient.ConnectAsync(url);
            await client.SendAsync("via mine\n");
            Assert.Equal("via mine", await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task A_listener_factory_registered_before_the_transport_replaces_the_socket_transport()
    {
        var counting = new CountingListenerFactory(
            new SocketTransportFactory(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance));
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Http2Lab:Endpoints:echo:Url"] = "http://127.0.0.1:0",
            ["Http2Lab:Endpoints:echo:Protocol"] = "Echo",
        });

        // Registered first: AddHttp2LabTransport only adds the socket transport when none is registered.
        builder.Services.AddSingleton<IConnectionListenerFactory>(counting);
        builder.Services.AddHttp2LabTransport(builder.Configuration.GetSection("Http2Lab"));
        var host = builder.Build();
        try
        {
            var url = await TransportTestHost.StartAsync(host, "echo");
            Assert.Equal(1, counting.Binds);
            await using var client = await LineClient.ConnectAsync(url);
            await client.SendAsync("counted\n");
            Assert.Equal("counted", await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Theory]
    [InlineData(true, "Async")]
    [InlineData(false, "Async")]
    [InlineData(true, "ThreadPerConnection")]
    [InlineData(false, "ThreadPerConnection")]
    [InlineData(false, "SingleClient")]
    public async Task NoDelay_is_applied_per_endpoint_to_accepted_sockets(bool noDelay, string dispatcher)
    {
        var host = TransportTestHost.BuildSingle(
            "nd", "http://127.0.0.1:0", protocol: "NoDelayProbe",
            services: services => services.AddHttp2LabProtocol("NoDelayProbe", (_, _) => context =>
                new ScriptedProcessor($"{context.Features.Get<IConnectionSocketFeature>()!.Socket.NoDelay}\r\n", null)),
            extra: new Dictionary<string, string?>
            {
                ["Http2Lab:Endpoints:nd:NoDelay"] = noDelay.ToString(),
                ["Http2Lab:Endpoints:nd:Dispatcher"] = dispatcher,
            });
        try
        {
            var url = await TransportTestHost.StartAsync(host, "nd");
            await using var client = await LineClient.ConnectAsync(url);
            await client.SendAsync("?\n"); // SingleClient serves a client once it talks
            Assert.Equal(noDelay.ToString(), await client.ReadLineAsync());
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    [Fact]
    public async Task An_exception_in_a_connection_is_logged_and_the_endpoint_keeps_serving()
    {
        var log = new TestLog();
        var calls = 0;
        var host = TransportTestHost.BuildSingle(
            "flaky", "http://127.0.0.1:0", protocol: "Flaky", log: log,
            services: services => services.AddHttp2LabProtocol("Flaky", (_, _) => _ => Interlocked.Increment(ref calls) == 1
                ? throw new InvalidOperationException("boom")
                : new ScriptedProcessor("fine\r\n", null)));
        try
        {
            var url = await TransportTestHost.StartAsync(host, "flaky");
            await using (var first = await LineClient.ConnectAsync(url))
            {
                Assert.True(await first.IsClosedByServerAsync());
            }

            await using var second = await LineClient.ConnectAsync(url);
            Assert.Equal("fine", await second.ReadLineAsync());
            Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("Endpoint 'flaky': connection "));
        }
        finally
        {
            await TransportTestHost.StopAndDisposeAsync(host);
        }
    }

    private sealed class CountingListenerFactory(IConnectionListenerFactory inner) : IConnectionListenerFactory
    {
        private int _binds;

        public int Binds => _binds;

        public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _binds);
            return inner.BindAsync(endpoint, cancellationToken);
        }
    }
}
