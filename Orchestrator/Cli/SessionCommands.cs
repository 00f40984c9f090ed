using System.CommandLine;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp session list|kill</c>: the tenant's open MCP sessions.</summary>
internal static class SessionCommands
{
    public static Command Create()
    {
        var session = new Command("session", "List and end the tenant's open MCP sessions");
        var tenant = CliOptions.Tenant();
        var list = new Command("list", "List open sessions") { tenant };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var json = await api.GetAsync($"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/sessions", cancellationToken);
            CliOutput.List(parse, json, [("SESSION", "id"), ("SERVER", "server"), ("PRINCIPAL", "principal"), ("CREATED", "createdAt"), ("LAST SEEN", "lastSeenAt")]);
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("SESSION") { Description = "the session id (from session list)" };
        var killTenant = CliOptions.Tenant();
        var kill = new Command("kill", "End a session and its sandbox at once") { id, killTenant };
        kill.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            await api.DeleteAsync($"v1/tenants/{api.Tenant(parse.GetValue(killTenant))}/sessions/{Uri.EscapeDataString(parse.GetRequiredValue(id))}", cancellationToken);
            await Console.Error.WriteLineAsync($"Ended session {parse.GetRequiredValue(id)}.");
            return ExitCodes.Ok;
        });

        session.Add(list);
        session.Add(kill);
        return session;
    }
}
