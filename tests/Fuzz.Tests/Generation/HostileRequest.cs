namespace Smcp.Fuzz.Tests.Generation;

/// <summary>Which credential a request carries; the real keys are filled in when it is sent.</summary>
internal enum Credential
{
    None,

    /// <summary>A valid tenant-user key of the tenant whose server runs: the MCP path after authentication.</summary>
    McpUser,

    /// <summary>A valid tenant-admin key of the second tenant: the API path after authentication, away from the server under test.</summary>
    ApiAdmin,

    /// <summary>A key-shaped secret no one was given.</summary>
    Forged,

    /// <summary>Whatever follows <c>Authorization:</c>, as generated.</summary>
    Raw,
}

/// <summary>Which <c>Mcp-Session-Id</c> a request carries; a live one is picked when it is sent.</summary>
internal enum SessionChoice
{
    None,
    Live,
    Raw,
}

/// <summary>What a body is meant to be, so the reply can be judged: the proxy must refuse every body that is not JSON-RPC.</summary>
internal enum BodyKind
{
    Empty,
    RandomBytes,
    BrokenJson,
    DeepNesting,
    InvalidUtf8,
    DuplicateMembers,
    NotJsonRpc,
    HugeNumber,
    HugeString,
    Batch,
    OddParams,
    Plausible,
    Form,
    Oversize,
}

/// <summary>One generated request: everything but the secrets and live session ids, which are resolved when it is sent.</summary>
/// <param name="Path">Already percent-encoded, with its query.</param>
/// <param name="PadTo">When larger than the body, the body is followed by filler bytes up to this length (oversize bodies are never held in memory whole).</param>
/// <param name="SlowChunks">Above 0, the body is sent in this many pieces with <paramref name="SlowDelay"/> between them.</param>
internal sealed record HostileRequest(
    string Method,
    string Path,
    Credential Credential,
    string RawAuthorization,
    SessionChoice Session,
    string RawSession,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    BodyKind Kind,
    byte[] Body,
    int PadTo,
    int SlowChunks,
    TimeSpan SlowDelay)
{
    public bool IsMcpPost => Method == "POST" && (Path.EndsWith("/mcp", StringComparison.Ordinal) || Path.Contains("/messages", StringComparison.Ordinal));

    /// <summary>Bodies that are not a JSON-RPC message at all: the proxy must answer them with a 4xx, never forward them.</summary>
    public bool IsNeverJsonRpc => Kind is BodyKind.Empty or BodyKind.RandomBytes or BodyKind.BrokenJson or BodyKind.DeepNesting
        or BodyKind.InvalidUtf8 or BodyKind.DuplicateMembers or BodyKind.NotJsonRpc or BodyKind.Form or BodyKind.Oversize;

    /// <summary>A short description for a failure message: never the body itself, which may be megabytes.</summary>
    public override string ToString() =>
        $"{Method} {(Path.Length > 200 ? Path[..200] + "…" : Path)} cred={Credential} session={Session} kind={Kind} " +
        $"body={Math.Max(Body.Length, PadTo)}B{(SlowChunks > 0 ? $" slow={SlowChunks}x{SlowDelay.TotalMilliseconds}ms" : "")} " +
        $"headers=[{string.Join("; ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 80 ? h.Value[..80] + "…" : h.Value)}"))}] " +
        $"start={Convert.ToHexString(Body.AsSpan(0, Math.Min(Body.Length, 48)))}";
}
