namespace Http2Lab.Samples.AspNetCoreApp;

/// <summary>A to-do item, bound from and written as JSON.</summary>
public sealed record Todo(int Id, string Title, bool Done);
