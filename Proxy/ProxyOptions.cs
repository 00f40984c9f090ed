using Microsoft.Extensions.Options;

namespace Smcp.Proxy;

/// <summary>Settings of the MCP proxy, bound from the <c>Proxy</c> configuration section.</summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Origins (<c>scheme://host[:port]</c>) a browser may call from, besides the proxy's own origin.</summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>The proxy's public base URL for <c>resource_metadata</c> links; when null, taken from the request.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Whether GET opens the session's server-to-client stream; when false GET answers 405.</summary>
    public bool EnableGetStream { get; set; } = true;

    /// <summary>A POST body larger than this is refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Client requests one session may have waiting at once; beyond it, 429.</summary>
    public int MaxInFlightRequestsPerSession { get; set; } = 256;

    /// <summary>A request not answered within this gets a JSON-RPC error, and the server a <c>notifications/cancelled</c>.</summary>
    public TimeSpan MaxRequestDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Events each SSE stream keeps for <c>Last-Event-ID</c> replay.</summary>
    public int ReplayBufferEvents { get; set; } = 1024;

    /// <summary>
    /// One stream's share: bytes of notifications and server requests each SSE stream (the GET stream, or
    /// one POST's) may keep; past it the stream drops its own oldest. Answers do not count against it.
    /// </summary>
    public long ReplayBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// The hard bound on everything one session keeps: its pending requests (a reservation each) and all its
    /// streams (GET, POSTs in flight, answered POSTs kept for resumption). Notifications only use the first
    /// three quarters, so answers always find room; an answer that still does not fit is replaced by a JSON-RPC error.
    /// </summary>
    public long SessionReplayBudgetBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// The hard bound on what all sessions of one tenant keep together. Reaching it refuses new bytes to that
    /// tenant's sessions (each may trim only its own streams): it never touches another tenant's.
    /// </summary>
    public long TenantReplayBudgetBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// The proxy's hard ceiling over all tenants: reaching it refuses new bytes, it never trims anyone's.
    /// An ended session gives its bytes back at once.
    /// </summary>
    public long ReplayBudgetBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Answered POST streams a session keeps for resumption, newest first.</summary>
    public int RetainedStreamsPerSession { get; set; } = 64;

    /// <summary>The SSE <c>retry</c> a client waits before it reconnects (sent from 2025-11-25 on).</summary>
    public TimeSpan SseRetry { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often idle sessions are looked for.</summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> when the tenant runs its limit of sandboxes.</summary>
    public TimeSpan SessionLimitRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for a sandbox's exit status once its output has ended.</summary>
    public TimeSpan SandboxExitWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an <c>initialize</c> at the tenant's session limit may wait for an idle session to become reclaimable.</summary>
    /// <remarks>Clients that never send DELETE open sessions faster than they age; most clients do not retry a 429.</remarks>
    public TimeSpan ReclaimWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Credential lookups that could reach the database, per client address and second, before the caller is known (MCP and API together).</summary>
    public int PreAuthPerClientPerSecond { get; set; } = 20;

    /// <summary>The most such lookups one client may make at once after a quiet spell.</summary>
    public int PreAuthPerClientBurst { get; set; } = 40;

    /// <summary>Such lookups per second for all clients together: what anonymous load may cost the database.</summary>
    public int PreAuthGlobalPerSecond { get; set; } = 200;

    /// <summary>The most such lookups all clients together may make at once.</summary>
    public int PreAuthGlobalBurst { get; set; } = 400;

    /// <summary>Per-client buckets kept at most: clients are hashed onto this many, so random addresses cannot grow the limiter.</summary>
    public int PreAuthClientBuckets { get; set; } = 4096;

    /// <summary>Bytes of tool-definition scan verdicts kept by listing hash (findings, and the filtered listing under block); 0 keeps none.</summary>
    public long ToolScanCacheBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Ended sessions per server whose final stderr is kept for <c>GET …/servers/{s}/logs</c>; older ones fall out first.</summary>
    public int EndedSessionLogsPerServer { get; set; } = 16;

    /// <summary>Bytes of ended sessions' stderr (as rendered text, UTF-8) kept per tenant, over all its servers; the oldest fall out first.</summary>
    public long TenantEndedLogBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Text bytes one logs answer holds at most: sessions past it, oldest, are left out; the newest is always in.</summary>
    public long LogResponseBytes { get; set; } = 1024 * 1024;
}

internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/'))
            {
                errors.Add($"Proxy:AllowedOrigins entry '{origin}' is not an origin; write scheme://host[:port], e.g. https://app.example.com.");
            }
        }

        if (options.PublicBaseUrl is { } baseUrl && !Uri.TryCreate(baseUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Proxy:PublicBaseUrl '{baseUrl}' is not an absolute URL, e.g. https://mcp.example.com.");
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            errors.Add("Proxy:MaxRequestBodyBytes must be at least 1024.");
        }

        if (options.SessionReplayBudgetBytes < 2 * options.ReplayBufferBytes)
        {
            errors.Add("Proxy:SessionReplayBudgetBytes must be at least twice Proxy:ReplayBufferBytes, so one stream cannot fill its session.");
        }

        if (options.TenantReplayBudgetBytes < options.SessionReplayBudgetBytes)
        {
            errors.Add("Proxy:TenantReplayBudgetBytes must be at least Proxy:SessionReplayBudgetBytes.");
        }

        if (options.ReplayBudgetBytes < options.TenantReplayBudgetBytes)
        {
            errors.Add("Proxy:ReplayBudgetBytes must be at least Proxy:TenantReplayBudgetBytes.");
        }

        if (options.MaxInFlightRequestsPerSession < 1 || options.ReplayBufferEvents < 1 || options.ReplayBufferBytes < 1024 || options.RetainedStreamsPerSession < 1)
        {
            errors.Add("Proxy:MaxInFlightRequestsPerSession, ReplayBufferEvents and RetainedStreamsPerSession must be at least 1, ReplayBufferBytes at least 1024.");
        }

        if (options.PreAuthPerClientPerSecond < 1 || options.PreAuthPerClientBurst < options.PreAuthPerClientPerSecond
            || options.PreAuthGlobalPerSecond < 1 || options.PreAuthGlobalBurst < options.PreAuthGlobalPerSecond)
        {
            errors.Add("Proxy:PreAuthPerClientPerSecond and PreAuthGlobalPerSecond must be at least 1, and each burst (PreAuthPerClientBurst, PreAuthGlobalBurst) at least its rate.");
        }

        if (options.PreAuthClientBuckets < 1)
        {
            errors.Add("Proxy:PreAuthClientBuckets must be at least 1.");
        }

        if (options.EndedSessionLogsPerServer < 0 || options.TenantEndedLogBytes < 0 || options.LogResponseBytes < 1024)
        {
            errors.Add("Proxy:EndedSessionLogsPerServer and TenantEndedLogBytes must be 0 (keep no ended session's log) or more, LogResponseBytes at least 1024.");
        }

        if (options.ToolScanCacheBytes < 0)
        {
            errors.Add("Proxy:ToolScanCacheBytes must be 0 (keep no verdicts) or more.");
        }

        foreach (var (setting, value) in new[]
        {
            ("MaxRequestDuration", options.MaxRequestDuration), ("SseRetry", options.SseRetry), ("IdleCheckInterval", options.IdleCheckInterval),
            ("SessionLimitRetryAfter", options.SessionLimitRetryAfter), ("SandboxExitWait", options.SandboxExitWait),
            ("ReclaimWait", options.ReclaimWait),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Proxy:{setting} must be positive.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
