using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>A host environment named Development (the development certificate is allowed), for code used outside a host.</summary>
public sealed class DevelopmentEnvironment : IHostEnvironment
{
    public static readonly DevelopmentEnvironment Instance = new();

    public string EnvironmentName { get; set; } = Environments.Development;

    public string ApplicationName { get; set; } = "Http2Lab.Transport.Tests";

    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
