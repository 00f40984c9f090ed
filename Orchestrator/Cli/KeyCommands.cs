using System.CommandLine;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.OAuth.Keys;
using Smcp.Orchestrator.Secrets;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp key create|list|revoke</c> (the tenant's API keys, over the API) and <c>smcp key rotate-signing</c> (on the host); <c>keys</c> is the same group.</summary>
internal static class KeyCommands
{
    public static Command Create()
    {
        var key = new Command("key", "Create, list and revoke the tenant's API keys; rotate the token-signing key (host)");
        key.Aliases.Add("keys");
        key.Add(New());
        key.Add(List());
        key.Add(Revoke());
        key.Add(RotateSigning());
        return key;
    }

    private static Command New()
    {
        var name = new Argument<string>("NAME") { Description = "what the key is for" };
        var role = new Option<string>("--role") { Description = "tenant-admin, tenant-user (MCP only) or read-only", DefaultValueFactory = _ => "tenant-user" };
        role.AcceptOnlyFromAmong("tenant-admin", "tenant-user", "read-only");
        var tenant = CliOptions.Tenant();
        var command = new Command("create", "Create a key; prints it once on stdout") { name, role, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var json = await api.PostJsonAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/keys",
                new JsonObject { ["name"] = parse.GetRequiredValue(name), ["role"] = parse.GetRequiredValue(role) }, cancellationToken);
            var created = JsonNode.Parse(json);
            Console.Out.WriteLine(parse.Json() ? json : created?["key"]?.GetValue<string>());
            await Console.Error.WriteLineAsync($"Key {CliOutput.Text(created?["id"])} ({CliOutput.Text(created?["role"])}); it is shown this once.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var tenant = CliOptions.Tenant();
        var command = new Command("list", "List the tenant's keys, without secrets") { tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var json = await api.GetAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/keys", cancellationToken);
            CliOutput.List(parse, json, [("ID", "id"), ("NAME", "name"), ("ROLE", "role"), ("CREATED", "createdAt"), ("REVOKED", "revokedAt"), ("LAST USED", "lastUsedAt")]);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<Guid>("ID") { Description = "the key's id (from key list)" };
        var tenant = CliOptions.Tenant();
        var command = new Command("revoke", "Revoke a key at once") { id, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            await api.DeleteAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/keys/{parse.GetValue(id)}", cancellationToken);
            await Console.Error.WriteLineAsync($"Revoked key {parse.GetValue(id)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command RotateSigning()
    {
        var config = CliOptions.Config();
        var command = new Command("rotate-signing", "New token-signing key (prints its kid); the old one stays published for the overlap (host: database)") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = HostConfig.Load(parse.GetRequiredValue(config));
            try
            {
                using var masterKey = MasterKey.FromEnvironment();
                await using var source = HostConfig.DataSource(loaded.Config!);
                var kid = await new SigningKeyStore(new TenantDb(source), new SigningKeySeal(masterKey), TimeProvider.System).RotateAsync(cancellationToken);
                Console.WriteLine(kid);
                await Console.Error.WriteLineAsync($"New token-signing key {kid}. Running servers sign with it within a minute; the old key stays published "
                                                   + "for oauth.accessTokenLifetime + 5 min, so tokens it signed stay valid until they expire.");
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is MasterKeyException or Npgsql.NpgsqlException)
            {
                throw new CliException(ExitCodes.Usage, ex.Message);
            }
        });
        return command;
    }
}
