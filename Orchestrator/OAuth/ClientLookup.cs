namespace Smcp.Orchestrator.OAuth;

/// <summary>A client found for a <c>client_id</c>, or why there is none.</summary>
/// <param name="Client">The client; null when it is unknown or its registration is not acceptable.</param>
/// <param name="Error">Why not, safe to show the person signing in or the client (no internal detail).</param>
internal sealed record ClientLookup(OAuthClient? Client, string? Error)
{
    public static ClientLookup Found(OAuthClient client) => new(client, null);

    public static ClientLookup Refused(string error) => new(null, error);
}
