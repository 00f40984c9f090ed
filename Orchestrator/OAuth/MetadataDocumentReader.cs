using System.Text.Json;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Turns the bytes of a client ID metadata document into a public client, or says why they are not one.</summary>
/// <remarks>
/// The document is hostile input: parsed with a depth limit and without duplicate property names (a second
/// <c>client_id</c> or <c>redirect_uris</c> would let two readers see two different clients), every value bounded.
/// </remarks>
internal static class MetadataDocumentReader
{
    public const int MaxDepth = 16;
    public const int MaxRedirectUris = 20;
    public const int MaxRedirectUriLength = 2048;
    public const int MaxNameLength = 200;

    /// <summary>The most characters of redirect URIs and name one cached client may hold, so the cache's memory is bounded.</summary>
    public const int MaxRetainedChars = 4096;

    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    public static ClientLookup Read(string clientId, ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Options);
        }
        catch (JsonException)
        {
            return ClientLookup.Refused($"The client's metadata document is not a JSON object (or it is nested more than {MaxDepth} levels deep).");
        }

        using (document)
        {
            return Read(clientId, document.RootElement);
        }
    }

    private static ClientLookup Read(string clientId, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ClientLookup.Refused("The client's metadata document is not a JSON object.");
        }

        if (!root.TryGetProperty("client_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() != clientId)
        {
            return ClientLookup.Refused("The client's metadata document has a client_id other than its own URL.");
        }

        if (root.TryGetProperty("client_secret", out _) || root.TryGetProperty("client_secret_expires_at", out _))
        {
            return ClientLookup.Refused("The client's metadata document contains a client_secret; a metadata document describes a public client.");
        }

        if (AuthMethodProblem(root) is { } authProblem)
        {
            return ClientLookup.Refused(authProblem);
        }

        if (GrantTypesProblem(root) is { } grantProblem)
        {
            return ClientLookup.Refused(grantProblem);
        }

        string? name = null;
        if (root.TryGetProperty("client_name", out var nameElement))
        {
            if (nameElement.ValueKind != JsonValueKind.String || nameElement.GetString()!.Length > MaxNameLength)
            {
                return ClientLookup.Refused($"The client's metadata document has a client_name that is not a string of at most {MaxNameLength} characters.");
            }

            name = nameElement.GetString();
        }

        if (!root.TryGetProperty("redirect_uris", out var uris) || uris.ValueKind != JsonValueKind.Array
            || uris.GetArrayLength() is 0 or > MaxRedirectUris)
        {
            return ClientLookup.Refused($"The client's metadata document needs redirect_uris: an array of 1 to {MaxRedirectUris} URIs.");
        }

        var redirectUris = new List<string>();
        foreach (var uri in uris.EnumerateArray())
        {
            if (uri.ValueKind != JsonValueKind.String || !IsAcceptableRedirectUri(uri.GetString()!))
            {
                return ClientLookup.Refused("Each of the client's redirect_uris must be an https URI, or http on a loopback host (127.0.0.1, [::1], localhost), without a fragment or user info.");
            }

            redirectUris.Add(uri.GetString()!);
        }

        if (redirectUris.Sum(u => u.Length) + (name?.Length ?? 0) > MaxRetainedChars)
        {
            return ClientLookup.Refused($"The client's redirect_uris and client_name come to more than {MaxRetainedChars} characters.");
        }

        return ClientLookup.Found(new OAuthClient
        {
            ClientId = clientId,
            Kind = OAuthClientKind.MetadataDocument,
            Name = name,
            RedirectUris = redirectUris,
            GrantTypes = [OAuthNames.AuthorizationCodeGrant, OAuthNames.RefreshTokenGrant],
            AuthMethod = "none",
        });
    }

    private static string? AuthMethodProblem(JsonElement root)
    {
        if (!root.TryGetProperty("token_endpoint_auth_method", out var method))
        {
            return null;
        }

        return method.ValueKind != JsonValueKind.String ? "The client's token_endpoint_auth_method is not a string."
            : method.GetString() switch
            {
                "none" => null,
                "private_key_jwt" => "The client's token_endpoint_auth_method private_key_jwt is not supported; SMCP takes metadata-document clients as public clients (none) with PKCE.",
                _ => "The client's token_endpoint_auth_method must be none: a metadata document cannot carry a shared secret.",
            };
    }

    private static string? GrantTypesProblem(JsonElement root)
    {
        if (!root.TryGetProperty("grant_types", out var grants))
        {
            return null;
        }

        if (grants.ValueKind != JsonValueKind.Array || grants.GetArrayLength() > 10)
        {
            return "The client's grant_types is not an array of at most 10 grant types.";
        }

        var hasCode = false;
        foreach (var grant in grants.EnumerateArray())
        {
            if (grant.ValueKind != JsonValueKind.String)
            {
                return "The client's grant_types holds something other than strings.";
            }

            hasCode |= grant.GetString() == OAuthNames.AuthorizationCodeGrant;
        }

        return hasCode ? null : "The client's grant_types must include authorization_code, the only grant a metadata-document client gets.";
    }

    /// <summary>https anywhere, or http only to a loopback host (RFC 8252 section 7.3); never a fragment or user info.</summary>
    /// <remarks>
    /// The same rules as a registered client's (<see cref="Clients.RedirectUriRules"/>): the URI goes into the Location header
    /// as written, so a space, control or non-ASCII character would make that header invalid (a 500 for every redirect).
    /// </remarks>
    public static bool IsAcceptableRedirectUri(string value) =>
        value.Length <= MaxRedirectUriLength && Clients.RedirectUriRules.Check(value) is null;
}
