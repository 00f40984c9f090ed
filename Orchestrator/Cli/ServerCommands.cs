using System.CommandLine;
using System.Text.Json.Nodes;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp server deploy|list|rm|logs</c>.</summary>
internal static class ServerCommands
{
    public static Command Create()
    {
        var server = new Command("server", "Deploy, list, delete the tenant's MCP servers and read their logs");
        server.Add(Deploy());
        server.Add(List());
        server.Add(Remove());
        server.Add(Logs());
        return server;
    }

    private static Command Deploy()
    {
        var name = new Argument<string>("NAME") { Description = "the server name (lowercase letters, digits, '-')" };
        var image = new Option<string>("--image") { Description = "an image id from image push or image list", Required = true };
        var args = new Option<string[]>("--arg") { Description = "an argument for the server's command (repeat for more)", AllowMultipleArgumentsPerToken = false };
        var env = new Option<string[]>("--env") { Description = "an environment variable K=V (repeat for more; secrets go through smcp secret set)" };
        var tenant = CliOptions.Tenant();
        var command = new Command("deploy", "Deploy (or redeploy) an image as a server; prints its MCP URL") { name, image, args, env, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var variables = new JsonObject();
            foreach (var pair in parse.GetValue(env) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new CliException(ExitCodes.Usage, $"--env '{pair}' is not K=V.");
                }

                variables[pair[..equals]] = pair[(equals + 1)..];
            }

            var body = new JsonObject
            {
                ["image"] = parse.GetRequiredValue(image),
                ["args"] = new JsonArray((parse.GetValue(args) ?? []).Select(a => (JsonNode?)a).ToArray()),
                ["env"] = variables,
            };
            using var api = ApiClient.FromLogin();
            var json = await api.PutJsonAsync(ServerPath(api, parse, tenant, name), body, cancellationToken);
            Console.Out.WriteLine(parse.Json() ? json : JsonNode.Parse(json)?["url"]?.GetValue<string>());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var tenant = CliOptions.Tenant();
        var command = new Command("list", "List the tenant's servers") { tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var json = await api.GetAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/servers", cancellationToken);
            CliOutput.List(parse, json, [("SERVER", "server"), ("IMAGE", "image"), ("ARGS", "args"), ("URL", "url"), ("UPDATED", "updatedAt")]);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("NAME") { Description = "the server" };
        var tenant = CliOptions.Tenant();
        var command = new Command("rm", "Delete a server; its warm sandboxes stop") { name, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            await api.DeleteAsync(ServerPath(api, parse, tenant, name), cancellationToken);
            await Console.Error.WriteLineAsync($"Deleted server {parse.GetRequiredValue(name)}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Logs()
    {
        var name = new Argument<string>("NAME") { Description = "the server" };
        var session = new Option<string?>("--session") { Description = "only this MCP session's sandbox" };
        var tenant = CliOptions.Tenant();
        var command = new Command("logs", "The stderr of the server's recent sandboxes, one block per session") { name, session, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var query = parse.GetValue(session) is { } id ? $"?session={Uri.EscapeDataString(id)}" : "";
            var json = await api.GetAsync(ServerPath(api, parse, tenant, name) + "/logs" + query, cancellationToken);
            if (parse.Json())
            {
                Console.Out.WriteLine(json);
                return ExitCodes.Ok;
            }

            foreach (var block in JsonNode.Parse(json)?["sessions"] as JsonArray ?? [])
            {
                var dropped = block?["droppedBytes"]?.GetValue<long>() ?? 0;
                Console.Out.WriteLine($"== session {CliOutput.Text(block?["session"])} {CliOutput.Text(block?["startedAt"])} .. {CliOutput.Text(block?["endedAt"])}"
                                      + $" ({CliOutput.Text(block?["totalBytes"])} bytes{(dropped > 0 ? $", {dropped} dropped" : "")})");
                Console.Out.Write(CliOutput.Text(block?["text"]));
                Console.Out.WriteLine();
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static string ServerPath(ApiClient api, ParseResult parse, Option<string?> tenant, Argument<string> name) =>
        $"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/servers/{Uri.EscapeDataString(parse.GetRequiredValue(name))}";
}
