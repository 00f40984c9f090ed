using System.CommandLine;
using System.Text.Json.Nodes;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp secret set|rm|list --server S</c>: values come from stdin or a prompt without echo, never an argument.</summary>
internal static class SecretCommands
{
    public static Command Create()
    {
        var secret = new Command("secret", "Set, delete and list a server's secrets (injected as environment variables)");
        secret.Add(Set());
        secret.Add(Remove());
        secret.Add(List());
        return secret;
    }

    private static Option<string> Server() => new("--server") { Description = "the server", Required = true };

    private static string Path(ApiClient api, ParseResult parse, Option<string?> tenant, Option<string> server) =>
        $"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/servers/{Uri.EscapeDataString(parse.GetRequiredValue(server))}/secrets";

    private static Command Set()
    {
        var name = new Argument<string>("NAME") { Description = "the environment variable's name" };
        var server = Server();
        var tenant = CliOptions.Tenant();
        var command = new Command("set", "Set a secret; the value is one line of stdin, or asked without echo") { name, server, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var path = $"{Path(api, parse, tenant, server)}/{Uri.EscapeDataString(parse.GetRequiredValue(name))}";
            var value = SecretInput.Read("Secret value");
            await api.PutJsonAsync(path, new JsonObject { ["value"] = value }, cancellationToken);
            await Console.Error.WriteLineAsync($"Set secret {parse.GetRequiredValue(name)} of {parse.GetRequiredValue(server)}; new sandboxes get it.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("NAME") { Description = "the secret" };
        var server = Server();
        var tenant = CliOptions.Tenant();
        var command = new Command("rm", "Delete a secret") { name, server, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            await api.DeleteAsync($"{Path(api, parse, tenant, server)}/{Uri.EscapeDataString(parse.GetRequiredValue(name))}", cancellationToken);
            await Console.Error.WriteLineAsync($"Deleted secret {parse.GetRequiredValue(name)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var server = Server();
        var tenant = CliOptions.Tenant();
        var command = new Command("list", "List a server's secret names (never values)") { server, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var json = await api.GetAsync(Path(api, parse, tenant, server), cancellationToken);
            if (parse.Json())
            {
                Console.Out.WriteLine(json);
            }
            else
            {
                foreach (var secretName in JsonNode.Parse(json) as JsonArray ?? [])
                {
                    Console.Out.WriteLine(CliOutput.Text(secretName));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
