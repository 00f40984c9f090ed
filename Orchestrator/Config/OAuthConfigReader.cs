using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads smcp.yaml's <c>oauth:</c> into an <see cref="OAuthConfig"/>, every mistake to the <see cref="NodeReader"/> with its place.</summary>
internal static class OAuthConfigReader
{
    private static readonly string[] Keys =
        ["builtIn", "accessTokenLifetime", "refreshTokenLifetime", "codeLifetime", "lockoutThreshold", "lockoutDuration", "clientMetadataDocuments", "issuers"];

    private static readonly string[] DocumentKeys = ["enabled", "allowPrivateAddresses", "trustedCertificatesFile", "maxBytes", "timeout", "minCache", "maxCache"];
    private const int MaxDocumentBytes = 1024 * 1024;
    private const int MaxLockoutThreshold = 100;

    private static readonly Dictionary<string, bool> Booleans = new(StringComparer.Ordinal) { ["true"] = true, ["false"] = false };

    /// <param name="reader">Collects the mistakes.</param>
    /// <param name="node">The <c>oauth:</c> value.</param>
    /// <param name="tenants">The tenants read from the same file: an issuer bound to one must name one of them.</param>
    public static OAuthConfig Read(NodeReader reader, YamlNode node, IReadOnlyList<TenantConfig> tenants)
    {
        var config = new OAuthConfig();
        if (reader.Mapping(node, "oauth", Keys) is not { } set)
        {
            return config;
        }

        YamlNode? Node(string key) => set.GetValueOrDefault(key);
        if (Node("builtIn") is { } builtIn && Bool(reader, builtIn, "oauth.builtIn") is { } on)
        {
            config = config with { BuiltIn = on };
        }

        if (Node("accessTokenLifetime") is { } access && reader.Duration(access, "oauth.accessTokenLifetime", TimeSpan.FromMinutes(1), TimeSpan.FromHours(24)) is { } accessLifetime)
        {
            config = config with { AccessTokenLifetime = accessLifetime };
        }

        if (Node("refreshTokenLifetime") is { } refresh && reader.Duration(refresh, "oauth.refreshTokenLifetime", TimeSpan.FromHours(1), TimeSpan.FromDays(365)) is { } refreshLifetime)
        {
            config = config with { RefreshTokenLifetime = refreshLifetime };
        }

        if (config.RefreshTokenLifetime < config.AccessTokenLifetime)
        {
            reader.Error(Node("refreshTokenLifetime") ?? Node("accessTokenLifetime") ?? node, "oauth.refreshTokenLifetime",
                $"{ConfigUnits.FormatDuration(config.RefreshTokenLifetime)} is shorter than accessTokenLifetime ({ConfigUnits.FormatDuration(config.AccessTokenLifetime)}); a refresh token must outlive the access token it renews");
        }

        if (Node("codeLifetime") is { } code && reader.Duration(code, "oauth.codeLifetime", TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10)) is { } codeLifetime)
        {
            config = config with { CodeLifetime = codeLifetime };
        }

        if (Node("lockoutThreshold") is { } threshold && reader.Int(threshold, "oauth.lockoutThreshold", min: 1) is { } failures)
        {
            if (failures > MaxLockoutThreshold)
            {
                reader.Error(threshold, "oauth.lockoutThreshold", $"{failures} is too large; use at most {MaxLockoutThreshold} failed sign-ins");
            }
            else
            {
                config = config with { LockoutThreshold = failures };
            }
        }

        if (Node("lockoutDuration") is { } lockout && reader.Duration(lockout, "oauth.lockoutDuration", TimeSpan.FromMinutes(1), TimeSpan.FromDays(7)) is { } lockoutDuration)
        {
            config = config with { LockoutDuration = lockoutDuration };
        }

        if (Node("clientMetadataDocuments") is { } documents)
        {
            config = config with { ClientMetadataDocuments = ReadDocuments(reader, documents, "oauth.clientMetadataDocuments") };
        }

        if (Node("issuers") is { } issuers)
        {
            config = config with { Issuers = ReadIssuers(reader, issuers, tenants) };
        }

        return config;
    }

    private static ClientMetadataDocumentConfig ReadDocuments(NodeReader reader, YamlNode node, string path)
    {
        var config = new ClientMetadataDocumentConfig();
        if (reader.Mapping(node, path, DocumentKeys) is not { } set)
        {
            return config;
        }

        string At(string key) => NodeReader.Join(path, key);
        if (set.GetValueOrDefault("enabled") is { } enabled && Bool(reader, enabled, At("enabled")) is { } on)
        {
            config = config with { Enabled = on };
        }

        if (set.GetValueOrDefault("allowPrivateAddresses") is { } allow && Bool(reader, allow, At("allowPrivateAddresses")) is { } allowed)
        {
            config = config with { AllowPrivateAddresses = allowed };
        }

        if (set.GetValueOrDefault("trustedCertificatesFile") is { } file && reader.Text(file, At("trustedCertificatesFile"), "a file path") is { } certificates)
        {
            if (!File.Exists(certificates))
            {
                reader.Error(file, At("trustedCertificatesFile"), $"'{certificates}' is not a file; give the path of a PEM file of root certificates, or leave it out");
            }
            else
            {
                config = config with { TrustedCertificatesFile = certificates };
            }
        }

        if (set.GetValueOrDefault("maxBytes") is { } maxBytes && reader.Size(maxBytes, At("maxBytes"), min: 1024) is { } bytes)
        {
            if (bytes > MaxDocumentBytes)
            {
                reader.Error(maxBytes, At("maxBytes"), $"{ConfigUnits.FormatSize(bytes)} is too large; use at most {ConfigUnits.FormatSize(MaxDocumentBytes)}");
            }
            else
            {
                config = config with { MaxBytes = bytes };
            }
        }

        if (set.GetValueOrDefault("timeout") is { } timeout && reader.Duration(timeout, At("timeout"), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)) is { } wait)
        {
            config = config with { Timeout = wait };
        }

        if (set.GetValueOrDefault("minCache") is { } minCache && reader.Duration(minCache, At("minCache"), TimeSpan.Zero, TimeSpan.FromDays(1)) is { } min)
        {
            config = config with { MinCache = min };
        }

        if (set.GetValueOrDefault("maxCache") is { } maxCache && reader.Duration(maxCache, At("maxCache"), TimeSpan.FromMinutes(1), TimeSpan.FromDays(7)) is { } max)
        {
            config = config with { MaxCache = max };
        }

        if (config.MinCache > config.MaxCache)
        {
            reader.Error(set.GetValueOrDefault("minCache") ?? set.GetValueOrDefault("maxCache") ?? node, At("minCache"),
                $"{ConfigUnits.FormatDuration(config.MinCache)} is longer than maxCache ({ConfigUnits.FormatDuration(config.MaxCache)})");
        }

        return config;
    }

    private static List<TrustedIssuerConfig> ReadIssuers(NodeReader reader, YamlNode node, IReadOnlyList<TenantConfig> tenants)
    {
        var issuers = new List<TrustedIssuerConfig>();
        var firstSeen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var items = reader.Sequence(node, "oauth.issuers", "[ { issuer: https://login.example.com, tenant: acme } ]") ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"oauth.issuers[{i}]");
            if (TrustedIssuerReader.Read(reader, items[i], path, tenants) is not { } issuer)
            {
                continue;
            }

            var issuerNode = ((YamlMappingNode)items[i]).Children.First(c => c.Key is YamlScalarNode { Value: "issuer" }).Value;
            if (firstSeen.TryGetValue(issuer.Issuer, out var first))
            {
                reader.Error(issuerNode, path + ".issuer", $"duplicate issuer '{issuer.Issuer}'; it is first listed at line {first.Start.Line}");
                continue;
            }

            firstSeen[issuer.Issuer] = issuerNode;
            issuers.Add(issuer);
        }

        return issuers;
    }

    public static bool? Bool(NodeReader reader, YamlNode node, string path) =>
        reader.TryChoice(node, path, "true or false", Booleans, out var value) ? value : null;
}
