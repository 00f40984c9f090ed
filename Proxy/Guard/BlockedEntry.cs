namespace Smcp.Proxy.Guard;

/// <summary>An entry of a listing that <c>block</c> removes: its index, the name or URI requests use it by, and the first high finding.</summary>
internal sealed record BlockedEntry(int Index, string? Key, ScanFinding Reason);
