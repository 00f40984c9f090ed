using System.Text.Json;

namespace Smcp.Proxy.Guard;

/// <summary>A list answer after the scan: the line the client gets, and what the request's audit row says about it.</summary>
/// <param name="Line">The server's line unchanged, the listing without its blocked entries, or an error in its place.</param>
/// <param name="Outcome">The audit outcome instead of <c>ok</c> (<c>flagged</c>, <c>filtered</c>, <c>withheld</c>); null when nothing was found.</param>
/// <param name="Detail">The findings for the audit row, bounded by <see cref="ScanAudit"/>; null when nothing was found.</param>
/// <param name="Verdict">The scan's verdict; null when the policy is off.</param>
internal sealed record GuardedAnswer(ReadOnlyMemory<byte> Line, string? Outcome, JsonElement? Detail, ListingVerdict? Verdict);
