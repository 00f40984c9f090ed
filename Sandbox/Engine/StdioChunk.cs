namespace Smcp.Sandbox.Engine;

/// <summary>What one read of a sandbox's stdio gave.</summary>
/// <param name="Count">Bytes read into the buffer.</param>
/// <param name="Stderr">The bytes are stderr, not stdout.</param>
/// <param name="Eof">The stream has ended; nothing was read.</param>
internal readonly record struct StdioChunk(int Count, bool Stderr, bool Eof)
{
    public static readonly StdioChunk End = new(0, false, true);
}
