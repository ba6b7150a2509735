using System.IO.Compression;
using System.Text;
using Http2Lab.Http2.Application;

namespace Http2Lab.Interop.Tests.Application;

/// <summary>
/// <c>ReadBodyAsTextAsync</c> over bodies cut into DATA frames at awkward places: characters split between
/// frames, a Latin-1 charset, and gzip cut at odd boundaries. The route answers the text it decoded, in UTF-8.
/// </summary>
public sealed class RequestBodyTextTests
{
    private const string Text = "héllo wörld ✓ 𝄞";

    private static void MapTextEcho(Http2Router router) => router.MapPost("/text", async (request, response) =>
    {
        string text = await request.ReadBodyAsTextAsync(request.Aborted);
        response.SetHeader("content-type", "text/plain; charset=utf-8");
        await response.WriteAsync(text, request.Aborted);
    });

    private static async Task<string> PostTextAsync(RawH2Client client, byte[] body, IEnumerable<int> cuts, params (string Name, string Value)[] headers)
    {
        int id = await client.SendRequestAsync("POST", "/text", endStream: false, headers);
        await client.SendDataSplitAsync(id, body, cuts, endStream: true);
        RawResponse response = await client.ReadResponseAsync(id);
        Assert.True(response.Status == 200, $"expected 200: {response}");
        return response.BodyText;
    }

    /// <summary>Offsets that cut inside every multi-byte UTF-8 character of <paramref name="text"/>, and nowhere else.</summary>
    private static List<int> CutsInsideEveryCharacter(string text)
    {
        var cuts = new List<int>();
        int offset = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            int length = rune.Utf8SequenceLength;
            for (int i = 1; i < length; i++)
            {
                cuts.Add(offset + i);
            }

            offset += length;
        }

        return cuts;
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData(null)] // no charset: the byte-order mark picks UTF-8 and is dropped
    public async Task A_utf8_byte_order_mark_split_across_frames_is_not_part_of_the_text(string? contentType)
    {
        await using AppHost host = await AppHost.StartAsync(MapTextEcho);
        await using RawH2Client client = await host.ConnectAsync();
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Text)];

        string echoed = await PostTextAsync(client, body, [1, 2, 4], contentType is null ? [] : [("content-type", contentType)]);

        Assert.Equal(Text, echoed);
    }

    [Fact]
    public async Task Utf8_text_sent_one_octet_per_data_frame_is_decoded_intact()
    {
        await using AppHost host = await AppHost.StartAsync(MapTextEcho);
        await using RawH2Client client = await host.ConnectAsync();
        byte[] body = Encoding.UTF8.GetBytes(Text);
        Assert.Equal(Text.Length + 1 + 1 + 2 + 2, body.Length); // é ö: 2 octets, ✓: 3, 𝄞: 4 (2 UTF-16 units)

        string echoed = await PostTextAsync(client, body, Enumerable.Range(1, body.Length - 1), ("content-type", "text/plain; charset=utf-8"));

        Assert.Equal(Text, echoed);
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("text/plain; charset=\"UTF-8\"")]
    [InlineData("text/plain")] // no charset: UTF-8
    public async Task Utf8_text_cut_inside_every_multibyte_character_is_decoded_intact(string contentType)
    {
        await using AppHost host = await AppHost.StartAsync(MapTextEcho);
        await using RawH2Client client = await host.ConnectAsync();
        string text = Text + " — " + Text;
        byte[] body = Encoding.UTF8.GetBytes(text);
        List<int> cuts = CutsInsideEveryCharacter(text);
        Assert.Equal(2 * (1 + 1 + 2 + 3) + 2, cuts.Count);

        string echoed = await PostTextAsync(client, body, cuts, ("content-type", contentType));

        Assert.Equal(text, echoed);
    }

    [Theory]
    [InlineData("text/plain; charset=iso-8859-1")]
    [InlineData("text/plain; charset=ISO-8859-1")]
    [InlineData("text/plain;charset=\"latin1\"")]
    public async Task Latin1_charset_from_content_type_is_used(string contentType)
    {
        await using AppHost host = await AppHost.StartAsync(MapTextEcho);
        await using RawH2Client client = await host.ConnectAsync();
        const string latin1 = "Grüße aus Köln: café, £5, ½ ÿ";
        byte[] body = Encoding.Latin1.GetBytes(latin1);
        Assert.Equal(latin1.Length, body.Length);
        Assert.NotEqual(latin1, Encoding.UTF8.GetString(body)); // decoding as UTF-8 would be noticed

        string echoed = await PostTextAsync(client, body, [1, 5, 6, 7, 20], ("content-type", contentType));

        Assert.Equal(latin1, echoed);
    }

    [Fact]
    public async Task Gzip_body_cut_at_odd_boundaries_is_decompressed_and_decoded()
    {
        await using AppHost host = await AppHost.StartAsync(MapTextEcho);
        await using RawH2Client client = await host.ConnectAsync();

        // Text that does not compress to nothing: random picks of ASCII and multi-byte characters.
        string[] pieces = ["a", "b", "z", " ", "é", "ö", "✓", "𝄞", "€", "ß", "\n", "Ω"];
        var random = new Random(12345);
        var builder = new StringBuilder();
        for (int i = 0; i < 6000; i++)
        {
            builder.Append(pieces[random.Next(pieces.Length)]);
        }

        string text = builder.ToString();
        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(text));
            }

            compressed = buffer.ToArray();
        }

        Assert.True(compressed.Length > 1000, $"only {compressed.Length} compressed octets");
        int[] odd = [1, 3, 7, 13, 31, 61, 127, 251, 509, 1021];
        var cuts = new List<int>();
        for (int at = 0, i = 0; ; i++)
        {
            at += odd[i % odd.Length];
            if (at >= compressed.Length)
            {
                break;
            }

            cuts.Add(at);
        }

        string echoed = await PostTextAsync(client, compressed, cuts,
            ("content-type", "text/plain; charset=utf-8"), ("content-encoding", "gzip"));

        Assert.Equal(text, echoed);
    }
}
