namespace Smcp.Proxy.Auth;

/// <summary>What an access-token check found.</summary>
internal enum TokenOutcome
{
    /// <summary>The token is good for this tenant's MCP servers.</summary>
    Valid,

    /// <summary>Not a token this server accepts (401 <c>invalid_token</c>).</summary>
    Invalid,

    /// <summary>A good token whose scopes grant no role that may use MCP (403 <c>insufficient_scope</c>).</summary>
    InsufficientScope,
}
