namespace Smcp.Sandbox.Pool;

/// <summary>One sandbox start by the pool.</summary>
/// <param name="Warm">Started ahead of need (a refill), not for a session waiting on it (a cold start).</param>
/// <param name="Elapsed">From the create call to the started, attached container (or the failure).</param>
public sealed record SandboxStarted(string Tenant, bool Warm, bool Succeeded, TimeSpan Elapsed);
