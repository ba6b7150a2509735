using System.Buffers;
using Http2Lab.Transport.Processing;

namespace Http2Lab.Transport.Echo;

/// <summary>
/// The echo protocol as a sans-IO processor, so it runs on every dispatcher. Lines mode: every line (LF or CRLF)
/// comes back ending in CRLF, a line longer than <see cref="MaxLineLength"/> comes back in pieces as it arrives,
/// and <c>quit</c> closes. Bytes mode: every octet comes back. Memory is bounded: at most the buffer's capacity is
/// held for a client; when it is full, input is paused until the client reads (the seed's lesson: a client that
/// sends much and never reads cannot grow the server). When the client half-closes, everything still owed is
/// written back, then the connection closes.
/// </summary>
internal sealed class EchoProcessor : IConnectionProcessor
{
    /// <summary>The longest run of octets held back while waiting for the end of a line.</summary>
    public const int MaxLineLength = 4096;

    private static ReadOnlySpan<byte> Quit => "quit"u8;

    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    private readonly EchoMode _mode;
    private readonly EchoBuffer _output;
    private bool _midLine;
    private bool _quit;
    private bool _inputEnded;
    private long _leftover;
    private bool _closeRequested;

    /// <summary>Creates the processor of one connection.</summary>
    /// <param name="mode">Lines or bytes.</param>
    /// <param name="bufferSize">Octets held for the client at most (at least <see cref="MaxLineLength"/> + 2 in lines mode).</param>
    public EchoProcessor(EchoMode mode, int bufferSize)
    {
        _mode = mode;
        _output = new EchoBuffer(mode == EchoMode.Lines ? Math.Max(bufferSize, MaxLineLength + 2) : bufferSize);
    }

    /// <inheritdoc />
    public bool HasOutput => _output.Length > 0;

    /// <inheritdoc />
    public ReadOnlyMemory<byte> PendingOutput => _output.Written;

    /// <inheritdoc />
    public bool IsInputPaused => _output.Free < (_mode == EchoMode.Lines ? MaxLineLength + 2 : 1);

    /// <inheritdoc />
    public bool IsCompleted => (_quit || _closeRequested || (_inputEnded && _leftover == 0)) && _output.Length == 0;

    /// <inheritdoc />
    public bool RequiresAbort => false;

    /// <inheritdoc />
    /// <remarks>An echo session is one conversation: never idle in that sense.</remarks>
    public bool IsIdle => false;

    /// <inheritdoc />
    public long Receive(in ReadOnlySequence<byte> input)
    {
        if (_quit || _closeRequested)
        {
            _leftover = 0;
            return input.Length;
        }

        long consumed = _mode == EchoMode.Bytes ? EchoBytes(input) : EchoLines(input);
        _leftover = input.Length - consumed;
        return consumed;
    }

    /// <inheritdoc />
    public void OnInputCompleted() => _inputEnded = true;

    /// <inheritdoc />
    public void AdvanceOutput(int count) => _output.Consume(count);

    /// <inheritdoc />
    public void DrainOutputTo(IBufferWriter<byte> destination)
    {
        destination.Write(_output.Written.Span);
        _output.Consume(_output.Length);
    }

    /// <inheritdoc />
    public void OnHeartbeat()
    {
    }

    /// <inheritdoc />
    public void RequestClose() => _closeRequested = true;

    /// <inheritdoc />
    public void Abort(string reason) => _closeRequested = true;

    /// <inheritdoc />
    public void OnTransportClosed() => _output.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _output.Dispose();
        return ValueTask.CompletedTask;
    }

    private long EchoBytes(in ReadOnlySequence<byte> input)
    {
        long take = Math.Min(input.Length, _output.Free);
        _output.Write(input.Slice(0, take));
        return take;
    }

    private long EchoLines(in ReadOnlySequence<byte> input)
    {
        ReadOnlySequence<byte> rest = input;
        while (!rest.IsEmpty && _output.Free >= MaxLineLength + 2 && !_quit)
        {
            // Look for the end of the line only within one piece, so a huge line is echoed in bounded chunks.
            ReadOnlySequence<byte> window = rest.Slice(0, Math.Min(rest.Length, MaxLineLength + 1));
            if (window.PositionOf((byte)'\n') is { } newline)
            {
                ReadOnlySequence<byte> line = TrimCarriageReturn(rest.Slice(0, newline));
                rest = rest.Slice(rest.GetPosition(1, newline));
                if (!_midLine && line.Length == Quit.Length && SequenceEquals(line, Quit))
                {
                    _quit = true;
                    break;
                }

                _output.Write(line);
                _output.Write(CrLf);
                _midLine = false;
                continue;
            }

            if (rest.Length >= MaxLineLength)
            {
                // Hold back a final CR: it may be the first half of a CRLF split across reads.
                ReadOnlySequence<byte> piece = rest.Slice(0, MaxLineLength);
                if (EndsWithCarriageReturn(piece))
                {
                    piece = rest.Slice(0, MaxLineLength - 1);
                }

                _output.Write(piece);
                rest = rest.Slice(piece.End);
                _midLine = true;
                continue;
            }

            if (_inputEnded)
            {
                // The client half-closed in the middle of a line: echo that last line too.
                _output.Write(TrimCarriageReturn(rest));
                _output.Write(CrLf);
                _midLine = false;
                rest = rest.Slice(rest.End);
            }

            break;
        }

        return _quit ? input.Length : input.Length - rest.Length;
    }

    private static ReadOnlySequence<byte> TrimCarriageReturn(ReadOnlySequence<byte> line) =>
        EndsWithCarriageReturn(line) ? line.Slice(0, line.Length - 1) : line;

    private static bool EndsWithCarriageReturn(ReadOnlySequence<byte> data) =>
        !data.IsEmpty && data.Slice(data.Length - 1).FirstSpan[0] == (byte)'\r';

    private static bool SequenceEquals(ReadOnlySequence<byte> data, ReadOnlySpan<byte> expected)
    {
        Span<byte> copy = stackalloc byte[expected.Length];
        data.CopyTo(copy);
        return copy.SequenceEqual(expected);
    }
}
