using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.ResponseCompression;

namespace Http2Lab.Samples.AspNetCoreApp;

/// <summary>
/// The sample application — minimal APIs, JSON, static files, compression, ProblemDetails, a scoped service, server-sent
/// events — in one place, so the tests run exactly what <c>dotnet run --project samples/AspNetCoreApp</c> serves.
/// </summary>
public static class AspNetCoreSample
{
    /// <summary>The services the endpoints use.</summary>
    public static void AddServices(IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.AddScoped<RequestScope>();
        services.AddSingleton<AbortProbe>();
    }

    /// <summary>The middleware and endpoints.</summary>
    public static void Map(WebApplication app)
    {
        app.UseExceptionHandler(); // unhandled exceptions become application/problem+json (the ProblemDetails service)
        app.UseResponseCompression();
        app.UseDefaultFiles();
        app.UseStaticFiles();

        app.MapGet("/hello/{name}", (string name) => $"Hello, {name}!");

        app.MapGet("/todos/{id:int}", (int id) => new Todo(id, $"Task {id}", Done: false));
        app.MapPost("/todos", (Todo todo) => Results.Created($"/todos/{todo.Id}", todo with { Title = todo.Title.Trim() }));

        // Two resolutions in one request see one instance; the next request gets another.
        app.MapGet("/scoped", (RequestScope first, HttpContext context) =>
            new { first = first.Id, second = context.RequestServices.GetRequiredService<RequestScope>().Id });

        app.MapGet("/boom", string () => throw new InvalidOperationException("The sample fails on purpose."));

        app.MapGet("/connection", (HttpContext context) => new
        {
            remoteAddress = context.Connection.RemoteIpAddress?.ToString(),
            remotePort = context.Connection.RemotePort,
            localPort = context.Connection.LocalPort,
            connectionId = context.Connection.Id,
            protocol = context.Request.Protocol,
            scheme = context.Request.Scheme,
            host = context.Request.Host.Value,
            tls = context.Features.Get<ITlsHandshakeFeature>()?.Protocol.ToString(),
            clientCertificate = context.Connection.ClientCertificate?.Subject,
            traceIdentifier = context.TraceIdentifier,
        });

        // The path as the application sees it (decoded, dot segments removed) and as sent.
        app.MapGet("/path/{**rest}", (HttpContext context) => new
        {
            path = context.Request.Path.Value,
            rawTarget = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget,
        });

        app.MapGet("/events", ServerSentEventsAsync);
        app.MapPost("/echo", EchoAsync);
        app.MapGet("/wait", WaitForAbortAsync);
    }

    /// <summary>
    /// <c>count</c> events (default 10), one every <c>intervalMs</c> (default 1000), each flushed on its own
    /// (<c>flush=false</c>: only by <c>WriteAsync</c>'s own flush of the body writer, as many apps leave it).
    /// </summary>
    private static async Task ServerSentEventsAsync(HttpContext context, int? count, int? intervalMs, bool? flush, CancellationToken aborted)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        for (int i = 1; i <= (count ?? 10); i++)
        {
            await context.Response.WriteAsync($"id: {i}\ndata: event {i} at {DateTimeOffset.UtcNow:O}\n\n", aborted);
            if (flush ?? true)
            {
                await context.Response.Body.FlushAsync(aborted);
            }

            if (i < (count ?? 10))
            {
                await Task.Delay(intervalMs ?? 1000, aborted);
            }
        }
    }

    /// <summary>The request body back, with the request's trailers returned as response trailers.</summary>
    private static async Task EchoAsync(HttpContext context)
    {
        context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
        await context.Request.Body.CopyToAsync(context.Response.Body, context.RequestAborted);
        if (context.Request.SupportsTrailers() && context.Request.CheckTrailersAvailable()
            && context.Request.GetTrailer("x-checksum") is { Count: > 0 } checksum)
        {
            context.Response.AppendTrailer("x-echoed-checksum", checksum);
        }

        if (context.Response.SupportsTrailers())
        {
            context.Response.AppendTrailer("x-body-complete", "true");
        }
    }

    /// <summary>Waits until the client gives up; records that the abort token fired.</summary>
    private static async Task WaitForAbortAsync(HttpContext context, AbortProbe probe)
    {
        await context.Response.WriteAsync("waiting\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            probe.OnAborted(context.TraceIdentifier);
            throw;
        }
    }
}
