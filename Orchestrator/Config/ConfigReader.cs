using System.Globalization;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Smcp.Orchestrator.Auth;
using Smcp.Proxy.Ports;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Turns the YAML tree of smcp.yaml into a <see cref="SmcpConfig"/>, reporting every mistake to the <see cref="NodeReader"/>.</summary>
internal static class ConfigReader
{
    private static readonly string[] TopKeys = ["listen", "instanceId", "postgres", "allowedOrigins", "vetting", "defaults", "tenants", "oauth", SandboxConfigReader.Key];
    private static readonly string[] PostgresKeys = ["connectionString", "ownerConnectionString"];
    private static readonly string[] VettingKeys = ["onSuspiciousEnv"];
    private static readonly string[] TenantKeys = ["id", "name", "status", "quotas", ToolScanReader.Key, ToolScanReader.PinningKey, ToolScanReader.ServersKey, SignInReader.Key];
    private const int MaxNameLength = 200;

    private static readonly Dictionary<string, TenantStatus> Statuses = new(StringComparer.Ordinal)
    {
        ["active"] = TenantStatus.Active,
        ["suspended"] = TenantStatus.Suspended,
    };

    private static readonly Dictionary<string, SuspiciousEnvAction> EnvActions = new(StringComparer.Ordinal)
    {
        ["warn"] = SuspiciousEnvAction.Warn,
        ["reject"] = SuspiciousEnvAction.Reject,
    };

    public static SmcpConfig Read(NodeReader reader, YamlNode root, Func<string, string?> environment)
    {
        var config = new SmcpConfig();
        if (reader.Mapping(root, "", TopKeys) is not { } top)
        {
            return config;
        }

        if (top.GetValueOrDefault("listen") is { } listen)
        {
            config = config with { Listen = ReadList(reader, listen, "listen", "[\"http://127.0.0.1:8080\"]", ReadListenUrl) };
        }

        if (top.GetValueOrDefault("instanceId") is { } instance && ReadInstanceId(reader, instance) is { } instanceId)
        {
            config = config with { InstanceId = instanceId };
        }

        config = config with { Postgres = ReadPostgres(reader, top.GetValueOrDefault("postgres"), environment) };

        if (top.GetValueOrDefault("allowedOrigins") is { } origins)
        {
            config = config with { AllowedOrigins = ReadList(reader, origins, "allowedOrigins", "[\"https://app.example.com\"]", ReadOrigin) };
        }

        if (top.GetValueOrDefault("vetting") is { } vetting && reader.Mapping(vetting, "vetting", VettingKeys) is { } vettingSet
            && vettingSet.GetValueOrDefault("onSuspiciousEnv") is { } onEnv
            && reader.TryChoice(onEnv, "vetting.onSuspiciousEnv", "an action", EnvActions, out var action))
        {
            config = config with { Vetting = new VettingConfig { OnSuspiciousEnv = action } };
        }

        if (top.GetValueOrDefault("defaults") is { } defaults)
        {
            config = config with
            {
                Defaults = QuotaReader.Read(reader, defaults, "defaults", config.Defaults, alsoAllowed: [ToolScanReader.Key, ToolScanReader.PinningKey]),
                DefaultToolScan = ToolScanReader.Read(reader, ToolScanReader.Find(defaults), "defaults." + ToolScanReader.Key, config.DefaultToolScan),
                DefaultToolPinning = ToolScanReader.ReadPinning(
                    reader, ToolScanReader.Find(defaults, ToolScanReader.PinningKey), "defaults." + ToolScanReader.PinningKey, config.DefaultToolPinning),
            };
        }

        if (top.GetValueOrDefault("tenants") is { } tenants)
        {
            config = config with { Tenants = ReadTenants(reader, tenants, config.Defaults, config.DefaultToolScan, config.DefaultToolPinning, environment) };
        }

        if (top.GetValueOrDefault(SandboxConfigReader.Key) is { } sandbox)
        {
            config = config with { Sandbox = SandboxConfigReader.Read(reader, sandbox) };
        }

        if (top.GetValueOrDefault("oauth") is { } oauth)
        {
            config = config with { OAuth = OAuthConfigReader.Read(reader, oauth, config.Tenants) };
        }

        return config;
    }

    private static List<TenantConfig> ReadTenants(NodeReader reader, YamlNode node, TenantQuotas defaults, ToolScanPolicy defaultToolScan, ToolPinningPolicy defaultToolPinning, Func<string, string?> environment)
    {
        var tenants = new List<TenantConfig>();
        var firstSeen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var items = reader.Sequence(node, "tenants", "[ { id: acme } ]") ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"tenants[{i}]");
            if (reader.Mapping(items[i], path, TenantKeys) is not { } set)
            {
                continue;
            }

            var id = ReadTenantId(reader, items[i], set, path);
            var name = set.GetValueOrDefault("name") is { } nameNode ? ReadName(reader, nameNode, path + ".name") : null;
            var status = TenantStatus.Active;
            if (set.GetValueOrDefault("status") is { } statusNode && reader.TryChoice(statusNode, path + ".status", "a status", Statuses, out var chosen))
            {
                status = chosen;
            }

            var quotas = set.GetValueOrDefault("quotas") is { } quotaNode ? QuotaReader.Read(reader, quotaNode, path + ".quotas", defaults) : defaults;
            var toolScan = ToolScanReader.Read(reader, set.GetValueOrDefault(ToolScanReader.Key), path + "." + ToolScanReader.Key, defaultToolScan);
            var toolPinning = ToolScanReader.ReadPinning(reader, set.GetValueOrDefault(ToolScanReader.PinningKey), path + "." + ToolScanReader.PinningKey, defaultToolPinning);
            var (serverScans, serverPinning) = set.GetValueOrDefault(ToolScanReader.ServersKey) is { } serversNode
                ? ToolScanReader.ReadServers(reader, serversNode, path + "." + ToolScanReader.ServersKey, toolScan, toolPinning)
                : (ServerSettings<ToolScanPolicy>.None, ServerSettings<ToolPinningPolicy>.None);
            var signIn = SignInReader.Read(reader, set.GetValueOrDefault(SignInReader.Key), path + "." + SignInReader.Key, environment);
            var tools = set.GetValueOrDefault(ToolScanReader.ServersKey) is { } toolsNode
                ? ToolPolicyReader.ReadServers(reader, toolsNode, path + "." + ToolScanReader.ServersKey)
                : ServerSettings<ToolPolicy>.None;
            var outputGuards = set.GetValueOrDefault(ToolScanReader.ServersKey) is { } guardsNode
                ? OutputGuardReader.ReadServers(reader, guardsNode, path + "." + ToolScanReader.ServersKey)
                : ServerSettings<OutputGuardMode>.None;
            if (id is null)
            {
                continue;
            }

            if (firstSeen.TryGetValue(id, out var first))
            {
                reader.Error(set["id"], path + ".id", $"duplicate tenant id '{id}'; it is first used at line {first.Start.Line}");
                continue;
            }

            firstSeen[id] = set["id"];
            tenants.Add(new TenantConfig { Id = id, Name = name ?? id, Status = status, Quotas = quotas, ToolScan = toolScan, ToolPinning = toolPinning, ServerToolScan = serverScans, ServerToolPinning = serverPinning, ServerTools = tools, ServerOutputGuard = outputGuards, SignIn = signIn });
        }

        return tenants;
    }

    private static string? ReadTenantId(NodeReader reader, YamlNode tenant, Dictionary<string, YamlNode> set, string path)
    {
        if (!set.TryGetValue("id", out var idNode))
        {
            reader.Error(tenant, path, "id is required, e.g. { id: acme }");
            return null;
        }

        if (reader.Text(idNode, path + ".id", "a tenant id") is not { } id)
        {
            return null;
        }

        if (!TenantId.IsValid(id))
        {
            reader.Error(idNode, path + ".id",
                $"'{id}' is not a valid id; use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
            return null;
        }

        return id;
    }

    private static string? ReadName(NodeReader reader, YamlNode node, string path)
    {
        if (reader.Text(node, path, "a name") is not { } name)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            reader.Error(node, path, $"a name must have 1 to {MaxNameLength} characters and not be blank; leave it out to use the id");
            return null;
        }

        return name;
    }

    private static string? ReadInstanceId(NodeReader reader, YamlNode node)
    {
        if (reader.Text(node, "instanceId", "an instance id") is not { } id)
        {
            return null;
        }

        if (id.Length is 0 or > 63 || id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            reader.Error(node, "instanceId", $"'{id}' is not a valid instance id; use 1 to 63 letters, digits, '-', '_' or '.'");
            return null;
        }

        return id;
    }

    private static PostgresConfig ReadPostgres(NodeReader reader, YamlNode? node, Func<string, string?> environment)
    {
        var set = node is null ? [] : reader.Mapping(node, "postgres", PostgresKeys) ?? [];
        string? Effective(string key, string variable)
        {
            var path = "postgres." + key;
            var fromFile = set.GetValueOrDefault(key) is { } value ? reader.Text(value, path, "a connection string") : null;
            if (fromFile is not null && ConnectionStringError(fromFile) is { } fileError)
            {
                reader.Error(set[key], path, fileError);
            }

            var fromEnvironment = environment(variable);
            if (string.IsNullOrEmpty(fromEnvironment))
            {
                return fromFile;
            }

            if (ConnectionStringError(fromEnvironment) is { } environmentError)
            {
                reader.Error(path, $"the value of the environment variable {variable}: {environmentError}");
            }

            return fromEnvironment;
        }

        return new PostgresConfig
        {
            ConnectionString = Effective("connectionString", PostgresConfig.AppVariable),
            OwnerConnectionString = Effective("ownerConnectionString", PostgresConfig.OwnerVariable),
        };
    }

    // The value itself is never repeated: it may hold a password.
    private static string? ConnectionStringError(string value)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"not a valid Npgsql connection string ({ex.Message}); use e.g. Host=127.0.0.1;Username=smcp_app;Database=smcp";
        }
    }

    private static List<string> ReadList(NodeReader reader, YamlNode node, string path, string example, Func<NodeReader, YamlNode, string, string?> readItem)
    {
        var values = new List<string>();
        var items = reader.Sequence(node, path, example) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            if (readItem(reader, items[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]")) is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }

    private static string? ReadListenUrl(NodeReader reader, YamlNode node, string path)
    {
        if (reader.Text(node, path, "a URL") is not { } url)
        {
            return null;
        }

        const string Allowed = "use http:// or https://, a host (or * for all interfaces) and a port, e.g. http://127.0.0.1:8080";
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            reader.Error(node, path, $"'{url}' is not a URL to listen on; {Allowed}");
            return null;
        }

        var hostOk = address.Host.StartsWith('[') || !address.Host.Contains(':', StringComparison.Ordinal);
        if (address.Scheme is not ("http" or "https") || !hostOk || address.Port is < 0 or > 65535 || address.PathBase.Length > 0)
        {
            reader.Error(node, path, $"'{url}' is not a URL to listen on; {Allowed}");
            return null;
        }

        return url;
    }

    private static string? ReadOrigin(NodeReader reader, YamlNode node, string path)
    {
        if (reader.Text(node, path, "an origin") is not { } origin)
        {
            return null;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || !string.IsNullOrEmpty(uri.UserInfo))
        {
            reader.Error(node, path, $"'{origin}' is not an origin; use scheme://host[:port] with no path, e.g. https://app.example.com");
            return null;
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }
}
