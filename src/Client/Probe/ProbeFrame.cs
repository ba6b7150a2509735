using Http2Lab.Http2.Frames;

namespace Http2Lab.Client.Probe;

/// <summary>A frame the probe read: its header and a copy of its payload.</summary>
internal sealed record ProbeFrame(FrameHeader Header, byte[] Payload);
