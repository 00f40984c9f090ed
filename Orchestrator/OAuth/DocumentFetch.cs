namespace Smcp.Orchestrator.OAuth;

/// <summary>What one fetch of a client ID metadata document yielded, and how long that answer may be reused.</summary>
internal readonly record struct DocumentFetch(ClientLookup Lookup, TimeSpan Lifetime);
