namespace Http2Lab.Transport.Hosting;

/// <summary>
/// Reads an environment variable. <see cref="UrlsFallback"/> takes one from DI when registered (tests do, so they need
/// not change the process's environment), else uses <see cref="Environment.GetEnvironmentVariable(string)"/>.
/// </summary>
/// <param name="variable">The variable's name.</param>
/// <returns>Its value, or null when it is not set.</returns>
internal delegate string? EnvironmentLookup(string variable);
