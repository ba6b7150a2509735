using System.IO.Pipelines;

namespace Http2Lab.Transport.Pipeline;

/// <summary>A reader and a writer presented as one <see cref="IDuplexPipe"/>.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
