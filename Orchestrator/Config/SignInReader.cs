using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads a tenant's <c>signIn:</c> into a <see cref="SignInConfig"/>, every mistake to the <see cref="NodeReader"/> with its place.</summary>
internal static class SignInReader
{
    public const string Key = "signIn";

    private static readonly string[] Keys = ["passwords", "upstream"];
    private static readonly string[] UpstreamKeys = ["issuer", "clientId", "clientSecretEnv", "clientSecretFile", "scopes", "claim", "displayName", "allowHttp"];
    private const int MaxWordLength = 200;
    private const int MaxScopes = 20;
    private const int MaxDisplayNameLength = 60;

    /// <param name="environment">Where a <c>clientSecretEnv</c> is looked up.</param>
    public static SignInConfig Read(NodeReader reader, YamlNode? node, string path, Func<string, string?> environment)
    {
        if (node is null || reader.Mapping(node, path, Keys) is not { } set)
        {
            return SignInConfig.Default;
        }

        var config = SignInConfig.Default;
        if (set.GetValueOrDefault("passwords") is { } passwords && OAuthConfigReader.Bool(reader, passwords, NodeReader.Join(path, "passwords")) is { } on)
        {
            config = config with { Passwords = on };
        }

        if (set.GetValueOrDefault("upstream") is { } upstream)
        {
            config = config with { Upstream = ReadUpstream(reader, upstream, NodeReader.Join(path, "upstream"), environment) };
        }

        if (!config.Passwords && config.Upstream is null && !set.ContainsKey("upstream"))
        {
            reader.Error(node, path, "passwords: false leaves no way to sign in; name an upstream provider too, or leave passwords on");
        }

        return config;
    }

    private static UpstreamProviderConfig? ReadUpstream(NodeReader reader, YamlNode node, string path, Func<string, string?> environment)
    {
        if (reader.Mapping(node, path, UpstreamKeys) is not { } set)
        {
            return null;
        }

        string At(string key) => NodeReader.Join(path, key);
        var valid = true;
        var allowHttp = TrustedIssuerReader.AllowHttp(reader, set, path, ref valid);

        string? issuer = null;
        if (set.GetValueOrDefault("issuer") is not { } issuerNode)
        {
            reader.Error(node, path, "issuer is required: the provider's exact issuer, e.g. issuer: https://login.example.com/realms/acme");
            valid = false;
        }
        else
        {
            issuer = TrustedIssuerReader.Url(reader, issuerNode, At("issuer"), allowHttp);
            valid &= issuer is not null;
        }

        string? clientId = null;
        if (set.GetValueOrDefault("clientId") is not { } clientNode)
        {
            reader.Error(node, path, "clientId is required: the client SMCP is registered as at the provider");
            valid = false;
        }
        else
        {
            clientId = TrustedIssuerReader.Word(reader, clientNode, At("clientId"), "a client id", MaxWordLength);
            valid &= clientId is not null;
        }

        var secret = ReadSecret(reader, set, path, environment, ref valid);
        var scopes = set.GetValueOrDefault("scopes") is { } scopesNode ? ReadScopes(reader, scopesNode, At("scopes")) : ["openid", "email"];
        valid &= scopes is not null;
        var claim = "email";
        if (set.GetValueOrDefault("claim") is { } claimNode)
        {
            claim = TrustedIssuerReader.Word(reader, claimNode, At("claim"), "a claim name", MaxWordLength);
            valid &= claim is not null;
        }

        string? displayName = null;
        if (set.GetValueOrDefault("displayName") is { } nameNode && reader.Text(nameNode, At("displayName"), "a name") is { } name)
        {
            if (name.Trim().Length == 0 || name.Length > MaxDisplayNameLength || name.Any(char.IsControl))
            {
                reader.Error(nameNode, At("displayName"), $"use 1 to {MaxDisplayNameLength} printable characters");
                valid = false;
            }
            else
            {
                displayName = name.Trim();
            }
        }
        else if (set.ContainsKey("displayName"))
        {
            valid = false;
        }

        if (!valid)
        {
            return null;
        }

        return new UpstreamProviderConfig
        {
            Issuer = issuer!,
            ClientId = clientId!,
            ClientSecret = secret,
            Scopes = scopes!,
            Claim = claim!,
            DisplayName = displayName ?? new Uri(issuer!).Host,
            AllowHttp = allowHttp,
        };
    }

    private static SecretSource? ReadSecret(NodeReader reader, Dictionary<string, YamlNode> set, string path, Func<string, string?> environment, ref bool valid)
    {
        var variableNode = set.GetValueOrDefault("clientSecretEnv");
        var fileNode = set.GetValueOrDefault("clientSecretFile");
        if (variableNode is not null && fileNode is not null)
        {
            reader.Error(fileNode, NodeReader.Join(path, "clientSecretFile"), "give clientSecretEnv or clientSecretFile, not both");
            valid = false;
            return null;
        }

        SecretSource? source = null;
        if (variableNode is not null && TrustedIssuerReader.Word(reader, variableNode, NodeReader.Join(path, "clientSecretEnv"), "an environment variable's name", MaxWordLength) is { } variable)
        {
            source = new SecretSource(variable, null);
        }
        else if (fileNode is not null && reader.Text(fileNode, NodeReader.Join(path, "clientSecretFile"), "a file path") is { } file)
        {
            source = new SecretSource(null, file);
        }
        else if (variableNode is not null || fileNode is not null)
        {
            valid = false;
            return null;
        }

        if (source is not null && source.Read(environment) is null)
        {
            var at = (variableNode ?? fileNode)!;
            reader.Error(at, NodeReader.Join(path, variableNode is not null ? "clientSecretEnv" : "clientSecretFile"),
                $"{source} holds no client secret (unset, empty, missing or over {SecretSource.MaxBytes} bytes); the secret itself never goes in smcp.yaml");
            valid = false;
        }

        return source;
    }

    private static List<string>? ReadScopes(NodeReader reader, YamlNode node, string path)
    {
        var items = reader.Sequence(node, path, "[ openid, email ]");
        if (items is null)
        {
            return null;
        }

        var scopes = new List<string>();
        foreach (var item in items)
        {
            if (reader.Text(item, path, "a scope") is not { } scope)
            {
                return null;
            }

            if (scope.Length == 0 || !TrustedIssuerReader.IsScopeToken(scope))
            {
                reader.Error(item, path, $"'{scope}' is not a scope: one word of printable characters without spaces, quotes or backslashes (RFC 6749 section 3.3)");
                return null;
            }

            if (!scopes.Contains(scope, StringComparer.Ordinal))
            {
                scopes.Add(scope);
            }
        }

        if (!scopes.Contains("openid", StringComparer.Ordinal) || scopes.Count > MaxScopes)
        {
            reader.Error(node, path, $"list openid and at most {MaxScopes - 1} more scopes, e.g. [ openid, email ]");
            return null;
        }

        return scopes;
    }
}
