using System.CommandLine;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Hosting;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Secrets;
using Smcp.Orchestrator.Servers;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Cli;

/// <summary>The commands that run on the host with smcp.yaml: <c>serve</c>, <c>config check</c>, <c>user add</c>, <c>pins list|approve</c>.</summary>
internal static class HostCommands
{
    public static Command Serve()
    {
        var config = CliOptions.Config();
        var role = new Option<string>("--role")
        {
            Description = "all (default): API and MCP proxy; proxy: the MCP endpoint only (scaled out as replicas); control: the API, OAuth and dashboard only",
            DefaultValueFactory = _ => "all",
        };
        role.AcceptOnlyFromAmong("all", "proxy", "control");
        var command = new Command("serve", "Run the API and the MCP proxy (host settings as --Section:Key=value after the options)")
        {
            config, role,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetRequiredValue(config);
            var loaded = HostConfig.Load(path);
            try
            {
                var serveRole = parse.GetRequiredValue(role) switch
                {
                    "proxy" => ServeRole.Proxy,
                    "control" => ServeRole.Control,
                    _ => ServeRole.All,
                };
                await using var app = await SmcpApp.BuildAsync(path, loaded, parse.UnmatchedTokens.ToArray(), cancellationToken, serveRole);
                await app.RunAsync(cancellationToken);
                return ExitCodes.Ok;
            }
            catch (Exception ex) when (ex is MasterKeyException or SandboxException or InvalidOperationException or Npgsql.NpgsqlException
                                           or Microsoft.Extensions.Options.OptionsValidationException)
            {
                throw new CliException(ExitCodes.Usage, ex.Message);
            }
        });
        return command;
    }

    public static Command Config()
    {
        var file = new Argument<string>("FILE") { Description = "the smcp.yaml to check" };
        var check = new Command("check", "Report every mistake with file:line:column; exit 1 if any") { file };
        check.SetAction(parse => ConfigCheckCommand.Run(parse.GetRequiredValue(file), Console.Out, Console.Error));
        return new Command("config", "Check smcp.yaml") { check };
    }

    public static Command User()
    {
        var tenant = CliOptions.RequiredTenant();
        var email = new Option<string>("--email") { Description = "the user's email", Required = true };
        var noPassword = new Option<bool>("--no-password") { Description = "the user signs in through the tenant's upstream provider only" };
        var config = CliOptions.Config();
        var add = new Command("add", "A sign-in user of the tenant's built-in OAuth issuer; prints its id (password: one line of stdin, or asked twice without echo)")
        {
            tenant, email, noPassword, config,
        };
        add.SetAction(async (parse, cancellationToken) =>
        {
            var loaded = HostConfig.Load(parse.GetRequiredValue(config));
            Func<string?>? readPassword = parse.GetValue(noPassword) ? null
                : Console.IsInputRedirected ? Console.In.ReadLine : () => UserAddCommand.PromptWithoutEcho(Console.Error);
            return await UserAddCommand.RunAsync(loaded.Config!, parse.GetRequiredValue(tenant), parse.GetRequiredValue(email), readPassword,
                Console.Out, Console.Error, cancellationToken);
        });
        return new Command("user", "Sign-in users of the built-in OAuth issuer (host)") { add };
    }

    public static Command Pins()
    {
        var pins = new Command("pins", "A server's tool pins and their approval (host: database)");
        foreach (var (verb, description) in new[]
                 {
                     ("list", "The server's approved tool pins and pending change with its diff"),
                     ("approve", "Approve the pending change (audited, principal cli); prints the listing hash"),
                 })
        {
            var tenant = CliOptions.RequiredTenant();
            var server = new Option<string>("--server") { Description = "the server", Required = true };
            var config = CliOptions.Config();
            var command = new Command(verb, description) { tenant, server, config };
            var hash = new Option<string?>("--listing-hash") { Description = "approve only if the pending change is this listing" };
            if (verb == "approve")
            {
                command.Add(hash);
            }

            command.SetAction(async (parse, cancellationToken) =>
            {
                var loaded = HostConfig.Load(parse.GetRequiredValue(config));
                return await PinsCommand.RunAsync(loaded.Config!, verb, parse.GetRequiredValue(tenant), parse.GetRequiredValue(server),
                    parse.GetValue(hash), Console.Out, Console.Error, cancellationToken);
            });
            pins.Add(command);
        }

        return pins;
    }
}
