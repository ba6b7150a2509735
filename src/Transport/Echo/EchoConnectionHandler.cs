using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Http2Lab.Transport.Echo;

/// <summary>
/// The echo protocol: every line the client sends (terminated by LF or CRLF) is written back terminated by CRLF.
/// The line <c>quit</c> closes the connection; so do end of input (after echoing what is pending) and the
/// server asking the connection to close (<see cref="IConnectionLifetimeNotificationFeature"/>).
/// </summary>
/// <remarks>
/// Memory is bounded: a line longer than <see cref="MaxLineLength"/> octets is echoed in pieces as it arrives,
/// so the client still receives the whole line, then CRLF.
/// </remarks>
public sealed class EchoConnectionHandler : ConnectionHandler
{
    /// <summary>The longest run of octets held back while waiting for the end of a line.</summary>
    public const int MaxLineLength = 4096;

    private static ReadOnlySpan<byte> Quit => "quit"u8;

    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    /// <summary>Echoes lines until <c>quit</c>, end of input or a close request.</summary>
    /// <param name="connection">The connection whose transport carries the lines.</param>
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            ?? CancellationToken.None;

        // A close request wakes a pending read (IsCanceled) instead of throwing, so echoed data is still flushed.
        await using var wake = closeRequested.UnsafeRegister(static state => ((PipeReader)state!).CancelPendingRead(), input);

        var midLine = false;
        while (!closeRequested.IsCancellationRequested)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = EchoLines(buffer, output, result.IsCompleted, ref midLine, out var quit);
            input.AdvanceTo(consumed, buffer.End);

            var flush = await output.FlushAsync().ConfigureAwait(false);
            if (quit || result.IsCompleted || result.IsCanceled || flush.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Echoes every complete line (and long-line pieces) in <paramref name="buffer"/>; returns how far it got.</summary>
    private static SequencePosition EchoLines(
        ReadOnlySequence<byte> buffer, PipeWriter output, bool isFinal, ref bool midLine, out bool quit)
    {
        quit = false;
        var rest = buffer;
        while (!rest.IsEmpty)
        {
            // Look for the end of the line only within one piece, so a huge line is echoed in bounded chunks.
            var window = rest.Slice(0, Math.Min(rest.Length, MaxLineLength + 1));
            if (window.PositionOf((byte)'\n') is { } newline)
            {
                var line = TrimCarriageReturn(rest.Slice(0, newline));
                rest = rest.Slice(rest.GetPosition(1, newline));
                if (!midLine && line.Length == Quit.Length && SequenceEquals(line, Quit))
                {
                    quit = true;
                    return rest.Start;
                }

                Write(output, line);
                output.Write(CrLf);
                midLine = false;
                continue;
            }

            if (rest.Length >= MaxLineLength)
            {
                // Hold back a final CR: it may be the first half of a CRLF split across reads.
                var piece = rest.Slice(0, MaxLineLength);
                if (EndsWithCarriageReturn(piece))
                {
                    piece = rest.Slice(0, MaxLineLength - 1);
                }

                Write(output, piece);
                rest = rest.Slice(piece.End);
                midLine = true;
                continue;
            }

            if (isFinal)
            {
                // The client half-closed in the middle of a line: echo that last line too.
                Write(output, TrimCarriageReturn(rest));
                output.Write(CrLf);
                midLine = false;
                rest = rest.Slice(rest.End);
            }

            break;
        }

        return rest.Start;
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

    private static void Write(PipeWriter output, ReadOnlySequence<byte> data)
    {
        foreach (var segment in data)
        {
            output.Write(segment.Span);
        }
    }
}
