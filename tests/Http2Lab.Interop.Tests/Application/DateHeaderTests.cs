using System.Globalization;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>Responses carry <c>date</c> (RFC 9110 §6.6.1) unless the handler set one or it is turned off.</summary>
public sealed class DateHeaderTests
{
    [Fact]
    public async Task A_response_carries_a_current_imf_fixdate()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/", (request, response) => response.WriteAsync("x").AsTask()));
        await using RawH2Client client = await host.ConnectAsync();

        DateTimeOffset before = DateTimeOffset.UtcNow;
        RawResponse response = await client.SendAndReadAsync("GET", "/");
        DateTimeOffset after = DateTimeOffset.UtcNow;

        string? date = response.Header("date");
        Assert.NotNull(date);
        DateTimeOffset parsed = DateTimeOffset.ParseExact(date, "ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(parsed, before.AddSeconds(-1), after.AddSeconds(1));
        Assert.Single(response.HeaderValues("date"));
    }

    [Fact]
    public async Task A_date_the_handler_set_is_kept_and_not_doubled()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/", (request, response) =>
        {
            response.SetHeader("date", "Sun, 06 Nov 1994 08:49:37 GMT");
            return response.WriteAsync("x").AsTask();
        }));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/");

        Assert.Equal(["Sun, 06 Nov 1994 08:49:37 GMT"], response.HeaderValues("date"));
    }

    [Fact]
    public async Task AddDateHeader_false_sends_none()
    {
        await using AppHost host = await AppHost.StartAsync(
            routes: router => router.MapGet("/", (request, response) => response.WriteAsync("x").AsTask()),
            application: options => options.AddDateHeader = false);
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/");

        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("date"));
    }

    [Fact]
    public async Task The_500_for_a_throwing_handler_carries_a_date_too()
    {
        await using AppHost host = await AppHost.StartAsync(routes: router => router.MapGet("/throws", (request, response) =>
            throw new InvalidOperationException("handler failed on purpose")));
        await using RawH2Client client = await host.ConnectAsync();

        RawResponse response = await client.SendAndReadAsync("GET", "/throws");

        Assert.Equal(500, response.Status);
        Assert.NotNull(response.Header("date"));
    }
}
