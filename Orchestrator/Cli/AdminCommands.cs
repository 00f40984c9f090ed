using System.CommandLine;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp admin tenants|usage</c>: <c>/v1/admin/tenants</c> with the platform admin key (login with it, or SMCP_KEY).</summary>
internal static class AdminCommands
{
    public static Command Create()
    {
        var admin = new Command("admin", "Platform admin: every tenant with its status and usage");
        var tenants = new Command("tenants", "Every tenant in smcp.yaml with its status");
        tenants.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            CliOutput.List(parse, await api.GetAsync("v1/admin/tenants", cancellationToken), [("TENANT", "id"), ("NAME", "name"), ("STATUS", "status")]);
            return ExitCodes.Ok;
        });

        var usage = new Command("usage", "Every tenant's servers, images and sessions against its quotas");
        usage.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            CliOutput.List(parse, await api.GetAsync("v1/admin/tenants", cancellationToken),
                [("TENANT", "id"), ("SERVERS", "servers"), ("MAX SERVERS", "maxServers"), ("IMAGES", "images"), ("IMAGE BYTES", "imageBytes"),
                 ("QUOTA BYTES", "totalImageBytes"), ("SESSIONS", "openSessions"), ("MAX SESSIONS", "maxSessions")]);
            return ExitCodes.Ok;
        });

        admin.Add(tenants);
        admin.Add(usage);
        return admin;
    }
}
