using Http2Lab.Http2.Application;
using Xunit;

namespace Http2Lab.Http2.Tests.Application;

public sealed class Http2RouterTests
{
    [Fact]
    public void Mapping_the_same_method_and_path_twice_throws_naming_both()
    {
        var router = new Http2Router().MapGet("/a", First);

        var error = Assert.Throws<InvalidOperationException>(() => router.Map("GET", "/a", Second));

        Assert.Contains("GET /a", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(First), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Second), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_path_for_other_methods_and_the_same_prefix_as_an_exact_path_are_no_duplicates()
    {
        var router = new Http2Router()
            .MapGet("/a", First)
            .MapPost("/a", First)
            .MapMethods(["PUT", "DELETE"], "/a", First)
            .MapPrefix("GET", "/a", First);

        Assert.Throws<InvalidOperationException>(() => router.MapPrefix("GET", "/a", Second));
        Assert.Throws<InvalidOperationException>(() => router.MapDelete("/a", Second));
    }

    [Fact]
    public void A_second_fallback_throws()
    {
        var router = new Http2Router().MapFallback(First);

        var error = Assert.Throws<InvalidOperationException>(() => router.MapFallback(Second));

        Assert.Contains(nameof(First), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Second), error.Message, StringComparison.Ordinal);
    }

    private static Task First(Http2Request request, Http2Response response) => Task.CompletedTask;

    private static Task Second(Http2Request request, Http2Response response) => Task.CompletedTask;
}
