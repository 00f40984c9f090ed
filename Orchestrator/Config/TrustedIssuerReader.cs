using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads one entry of <c>oauth.issuers</c>: an external issuer whose access tokens are trusted.</summary>
internal static class TrustedIssuerReader
{
    private static readonly string[] Keys = ["issuer", "jwksUrl", "audience", "tenantClaim", "tenant", "scopes", "allowHttp"];
    private const int MaxTextLength = 2000;
    private const int MaxClaimLength = 100;
    private const int MaxScopes = 50;

    private static readonly Dictionary<string, SmcpRole> Roles = new(StringComparer.Ordinal)
    {
        [ApiKeyRoles.TenantUser] = SmcpRole.TenantUser,
        [ApiKeyRoles.TenantAdmin] = SmcpRole.TenantAdmin,
        [ApiKeyRoles.ReadOnly] = SmcpRole.ReadOnly,
    };

    /// <summary>The issuer, or null when any of its settings is wrong (each reported).</summary>
    public static TrustedIssuerConfig? Read(NodeReader reader, YamlNode node, string path, IReadOnlyList<TenantConfig> tenants)
    {
        if (reader.Mapping(node, path, Keys) is not { } set)
        {
            return null;
        }

        string At(string key) => NodeReader.Join(path, key);
        var valid = true;
        var allowHttp = AllowHttp(reader, set, path, ref valid);

        string? issuer = null;
        if (!set.TryGetValue("issuer", out var issuerNode))
        {
            reader.Error(node, path, "issuer is required: the exact iss of the tokens, e.g. issuer: https://login.example.com/realms/acme");
            valid = false;
        }
        else
        {
            issuer = Url(reader, issuerNode, At("issuer"), allowHttp);
            valid &= issuer is not null;
        }

        string? jwksUrl = null;
        if (set.GetValueOrDefault("jwksUrl") is { } jwksNode)
        {
            jwksUrl = Url(reader, jwksNode, At("jwksUrl"), allowHttp);
            valid &= jwksUrl is not null;
        }

        string? audience = null;
        if (set.GetValueOrDefault("audience") is { } audienceNode)
        {
            audience = Word(reader, audienceNode, At("audience"), "an audience", MaxTextLength);
            valid &= audience is not null;
        }

        string? claim = null;
        if (set.GetValueOrDefault("tenantClaim") is { } claimNode)
        {
            claim = Word(reader, claimNode, At("tenantClaim"), "a claim name", MaxClaimLength);
            valid &= claim is not null;
        }

        string? tenant = null;
        if (set.GetValueOrDefault("tenant") is { } tenantNode && reader.Text(tenantNode, At("tenant"), "a tenant id") is { } named)
        {
            if (tenants.Any(t => t.Id == named))
            {
                tenant = named;
            }
            else
            {
                var ids = tenants.Select(t => t.Id).ToList();
                reader.Error(tenantNode, At("tenant"), $"'{named}' is not a tenant of this file{DidYouMean.Hint(named, ids)}; tenants: {string.Join(", ", ids)}");
                valid = false;
            }
        }
        else if (set.ContainsKey("tenant"))
        {
            valid = false;
        }

        if (set.ContainsKey("tenantClaim") == set.ContainsKey("tenant"))
        {
            reader.Error(node, path, "give exactly one of tenantClaim (the claim that names the tenant in each token) and tenant (the one tenant of all its tokens)");
            valid = false;
        }

        var scopes = set.GetValueOrDefault("scopes") is { } scopesNode ? ReadScopes(reader, scopesNode, At("scopes")) : null;
        valid &= set.ContainsKey("scopes") == (scopes is not null);
        if (!valid)
        {
            return null;
        }

        var config = new TrustedIssuerConfig { Issuer = issuer!, JwksUrl = jwksUrl, Audience = audience, TenantClaim = claim, Tenant = tenant, AllowHttp = allowHttp };
        return scopes is null ? config : config with { Scopes = scopes };
    }

    private static Dictionary<string, SmcpRole>? ReadScopes(NodeReader reader, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, path, "expected a mapping of scope to role, e.g. { mcp: tenant-user }");
            return null;
        }

        var scopes = new Dictionary<string, SmcpRole>(StringComparer.Ordinal);
        var valid = true;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } scope } || !IsScopeToken(scope))
            {
                reader.Error(keyNode, path, "a scope is one word of printable characters without spaces, quotes or backslashes (RFC 6749 section 3.3)");
                valid = false;
            }
            else if (reader.TryChoice(value, NodeReader.Join(path, scope), "a role", Roles, out var role))
            {
                scopes[scope] = role;
            }
            else
            {
                valid = false;
            }
        }

        if (valid && (scopes.Count == 0 || scopes.Count > MaxScopes))
        {
            reader.Error(node, path, $"map 1 to {MaxScopes} scopes to roles, e.g. {{ mcp: tenant-user }}; a token needs one of them");
            valid = false;
        }

        return valid ? scopes : null;
    }

    /// <summary>The mapping's <c>allowHttp</c>, false when it is left out; <paramref name="valid"/> turns false when it is no boolean.</summary>
    internal static bool AllowHttp(NodeReader reader, Dictionary<string, YamlNode> set, string path, ref bool valid)
    {
        if (set.GetValueOrDefault("allowHttp") is not { } allow)
        {
            return false;
        }

        var allowed = OAuthConfigReader.Bool(reader, allow, NodeReader.Join(path, "allowHttp"));
        valid &= allowed is not null;
        return allowed ?? false;
    }

    /// <summary>An absolute https URL (http only with allowHttp), no user info, query or fragment.</summary>
    internal static string? Url(NodeReader reader, YamlNode node, string path, bool allowHttp)
    {
        if (reader.Text(node, path, "a URL") is not { } text)
        {
            return null;
        }

        if (text.Length > MaxTextLength || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(uri.UserInfo) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            reader.Error(node, path, $"'{text}' is not an absolute https URL without user info, query or fragment");
            return null;
        }

        if (uri.Scheme == "http" && !allowHttp)
        {
            reader.Error(node, path, $"'{text}' is plain http; use https, or set allowHttp: true (loopback test setups only)");
            return null;
        }

        return text;
    }

    internal static string? Word(NodeReader reader, YamlNode node, string path, string what, int maxLength)
    {
        if (reader.Text(node, path, what) is not { } text)
        {
            return null;
        }

        if (text.Length == 0 || text.Length > maxLength || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            reader.Error(node, path, $"'{text}' is not {what}; use 1 to {maxLength} characters without spaces");
            return null;
        }

        return text;
    }

    internal static bool IsScopeToken(string scope) => scope.All(c => c is '\x21' or (>= '\x23' and <= '\x5B') or (>= '\x5D' and <= '\x7E'));
}
