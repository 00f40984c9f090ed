namespace Smcp.Orchestrator.Cli;

/// <summary>What <c>smcp login</c> keeps: where the API is and the key for it.</summary>
internal sealed record StoredLogin(string Url, string Key);
