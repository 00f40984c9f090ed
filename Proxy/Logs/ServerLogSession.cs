namespace Smcp.Proxy.Logs;

/// <summary>What one session's sandbox wrote to stderr, as a person may read it.</summary>
/// <param name="Session">The session's <c>Mcp-Session-Id</c>.</param>
/// <param name="StartedAt">When the session opened.</param>
/// <param name="EndedAt">When it ended; null while it is live.</param>
/// <param name="TotalBytes">Everything the sandbox wrote to stderr.</param>
/// <param name="DroppedBytes">What of it fell out of the sandbox's ring (<c>Sandbox:StderrBufferBytes</c>) before this snapshot.</param>
/// <param name="Text">The kept bytes decoded as UTF-8 (invalid bytes as U+FFFD), the server's secrets and credential shapes
/// redacted, and every control or other hidden character but line feed and tab written as <c>U+XXXX</c>.</param>
public sealed record ServerLogSession(string Session, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, long TotalBytes, long DroppedBytes, string Text);
