using Http2Lab.Http2.Session;
using Http2Lab.Http2.Tests.Session;

namespace Http2Lab.Http2.Tests.Fuzzing;

/// <summary>What the session fuzzer (<see cref="SessionFuzzTests"/>) found, each as a plain test with the exact octets.</summary>
public class FuzzRegressionTests
{
    /// <summary>
    /// Seed 6, iteration 49: the driver pinged before the client's preface arrived, and PING became the server's first
    /// frame. RFC 9113 §3.4: the server's SETTINGS must be the first frame it sends.
    /// </summary>
    [Fact]
    public void A_ping_sent_before_the_client_preface_follows_the_server_settings()
    {
        using var session = new Http2Session(new Http2Limits(), new RecordingHandler(), logger: null, new ManualTimeProvider());

        session.SendPing();

        Assert.Equal(
            Convert.FromHexString(
                "00001E040000000000" + "000300000064" + "0004000C0000" + "000500004000" + "000600008000" + "000100001000" // SETTINGS
                + "000004080000000000" + "000F0001"                                                                     // WINDOW_UPDATE
                + "000008060000000000" + "0000000861C46800"), // PING, with the clock's timestamp (1 h) as opaque data
            session.PendingOutput.ToArray());
    }

    [Fact]
    public void A_ping_sent_before_the_client_preface_does_not_make_the_server_send_its_settings_twice()
    {
        using var session = new Http2Session(new Http2Limits(), new RecordingHandler(), logger: null, new ManualTimeProvider());
        session.SendPing();
        session.AdvanceOutput(session.PendingOutput.Length);

        byte[] input = [.. FrameBuilder.Preface(), .. FrameBuilder.Settings()];
        Assert.Equal(input.Length, session.Receive(new System.Buffers.ReadOnlySequence<byte>(input)));

        Assert.Equal(Convert.FromHexString("000000040100000000"), session.PendingOutput.ToArray()); // only the SETTINGS ACK
    }

    /// <summary>
    /// Seed 4, iteration 640 (valid conversation): a write found the stream's own buffer full (take 0); inside the same call
    /// the session sent that buffer out and raised OnStreamWritable — before the writer could wait for it — and returned
    /// "0 accepted" with nothing left buffered, so no OnStreamWritable ever followed although the stream could be
    /// written: a writer that waits for it (Http2StreamContext) hangs. StreamOutputBufferSize 1024; the transport had
    /// written only part of a 16 KiB DATA frame, so the output stayed above nothing and the buffered 1024 octets waited.
    /// </summary>
    [Fact]
    public void A_short_write_is_always_followed_by_on_stream_writable_while_the_stream_can_be_written()
    {
        var handler = new RecordingHandler();
        var limits = new Http2Limits { StreamOutputBufferSize = 1024, MaxOutputBufferSize = 32 * 1024 };
        using var session = new Http2Session(limits, handler, logger: null, new ManualTimeProvider());
        byte[] input = Convert.FromHexString(
            "505249202A20485454502F322E300D0A0D0A534D0D0A0D0A" // preface
            + "000000040000000000"                               // SETTINGS
            + "000000040100000000"                               // SETTINGS ACK
            + "00000E010500000001" + "828784" + "01096C6F63616C686F7374"); // HEADERS 1: GET https / localhost, END_STREAM
        Assert.Equal(input.Length, session.Receive(new System.Buffers.ReadOnlySequence<byte>(input)));
        Assert.True(session.SendHeaders(1, 200, [], endStream: false));
        session.AdvanceOutput(session.PendingOutput.Length);

        // 16384 octets go out as one DATA frame (the output reaches its high-water mark), 1024 are buffered.
        Assert.True(session.TryWriteData(1, new byte[20_000], endStream: false, out int first));
        Assert.Equal(16_384 + 1024, first);
        session.AdvanceOutput(session.PendingOutput.Length - 100); // the transport wrote all but 100 octets

        Assert.True(session.TryWriteData(1, new byte[20_000 - first], endStream: false, out int second));
        int writableBefore = handler.Writables.Count();
        while (session.HasPendingOutput)
        {
            session.AdvanceOutput(session.PendingOutput.Length);
        }

        Assert.True(second == 20_000 - first || handler.Writables.Count() > writableBefore,
            $"accepted {second} of {20_000 - first}, and no OnStreamWritable followed although {session.GetWriteCapacity(1)} octets could be written");
    }
}
