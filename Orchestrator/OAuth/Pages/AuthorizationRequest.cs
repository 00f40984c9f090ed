namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>An authorization request that passed every check of <see cref="AuthorizeRequestValidator"/>, carried between the pages protected.</summary>
internal sealed record AuthorizationRequest
{
    public required string ClientId { get; init; }

    /// <summary>One of the client's registered redirect URIs, character for character.</summary>
    public required string RedirectUri { get; init; }

    /// <summary>The S256 code challenge (43 base64url characters).</summary>
    public required string CodeChallenge { get; init; }

    /// <summary>The MCP endpoint of this tenant the tokens are for (RFC 8707).</summary>
    public required string Resource { get; init; }

    /// <summary>The scopes to grant, space-separated.</summary>
    public required string Scope { get; init; }

    /// <summary>The client's <c>state</c>, echoed in the response; null when it sent none.</summary>
    public string? State { get; init; }
}
