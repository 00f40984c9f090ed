using System.Text.Json;

namespace Smcp.Proxy.Policy;

/// <summary>A tool result after the output guard: the line the client gets and what the request's audit row says.</summary>
/// <param name="Line">The server's line unchanged, the line with its findings redacted, or an error in its place.</param>
/// <param name="Outcome">The audit outcome instead of <c>ok</c> (<c>redacted</c>, <c>withheld</c>); null when nothing was found.</param>
/// <param name="Detail">Rule ids and counts; null when nothing was found.</param>
internal sealed record GuardedOutput(ReadOnlyMemory<byte> Line, string? Outcome, JsonElement? Detail);
