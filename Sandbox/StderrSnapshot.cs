namespace Smcp.Sandbox;

/// <summary>What a sandbox's stderr ring holds at one moment: the newest bytes, and how many were written and fell out.</summary>
/// <param name="Bytes">The kept bytes, as written (not decoded); once older bytes fell out they start at the first whole line.</param>
/// <param name="TotalBytes">Everything the server wrote to stderr since it started.</param>
public sealed record StderrSnapshot(ReadOnlyMemory<byte> Bytes, long TotalBytes)
{
    /// <summary>Bytes written but no longer kept: older than <see cref="SandboxOptions.StderrBufferBytes"/> allows, or the cut line before the first whole one.</summary>
    public long DroppedBytes => TotalBytes - Bytes.Length;
}
