using System.Net.Sockets;
using System.Text;

namespace Http2Lab.Transport.Tests.Infrastructure;

/// <summary>A line-oriented test client over any stream (TCP or TLS); every read is bounded by a timeout.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);
    private readonly byte[] _buffer = new byte[8192];
    private readonly MemoryStream _pending = new();
    private bool _eof;

    public LineClient(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
    }

    public Socket Socket { get; }

    public Stream Stream { get; }

    public static async Task<LineClient> ConnectAsync(Uri url)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(ReadTimeout);
        await socket.ConnectAsync("127.0.0.1", url.Port, timeout.Token);
        return new LineClient(socket, new NetworkStream(socket, ownsSocket: false));
    }

    public async Task SendAsync(string text)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        await Stream.WriteAsync(Encoding.ASCII.GetBytes(text), timeout.Token);
        await Stream.FlushAsync(timeout.Token);
    }

    /// <summary>Reads one CRLF-terminated line (without the CRLF); null at end of stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var data = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
            var crlf = data.IndexOf("\r\n"u8);
            if (crlf >= 0)
            {
                var line = Encoding.ASCII.GetString(data[..crlf]);
                var rest = data[(crlf + 2)..].ToArray();
                _pending.SetLength(0);
                _pending.Write(rest);
                return line;
            }

            if (!await FillAsync())
            {
                return null;
            }
        }
    }

    /// <summary>Reads until the server closes; returns everything received after the lines already read.</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await FillAsync())
        {
        }

        var all = Encoding.ASCII.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
        _pending.SetLength(0);
        return all;
    }

    /// <summary>True when the server closed the connection (EOF or reset) within the read timeout.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        try
        {
            await ReadToEndAsync();
            return true;
        }
        catch (IOException)
        {
            return true; // Reset is also a close.
        }
    }

    public ValueTask DisposeAsync()
    {
        Stream.Dispose();
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> FillAsync()
    {
        if (_eof)
        {
            return false;
        }

        using var timeout = new CancellationTokenSource(ReadTimeout);
        int read;
        try
        {
            read = await Stream.ReadAsync(_buffer, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No data from the server within {ReadTimeout.TotalSeconds} s.");
        }

        if (read == 0)
        {
            _eof = true;
            return false;
        }

        _pending.Write(_buffer, 0, read);
        return true;
    }
}
