using System.CommandLine;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Cli;

/// <summary><c>smcp audit tail [--follow]|verify</c>; <c>verify --config FILE</c> walks the chain in the database on the host, without it through the API.</summary>
internal static class AuditCommands
{
    /// <summary>Exit code of <c>audit verify</c> when the chain is broken (as before the API commands existed).</summary>
    public const int Broken = 3;

    private static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var audit = new Command("audit", "Read and verify the tenant's audit log");
        audit.Add(Tail());
        audit.Add(Verify());
        return audit;
    }

    private static Command Tail()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "keep printing new entries (every 2 s) until Ctrl+C" };
        var after = new Option<long>("--after") { Description = "start after this seq (default: the start of the log)" };
        var tenant = CliOptions.Tenant();
        var command = new Command("tail", "Print audit entries in seq order, one a line (JSON lines with --output json)") { follow, after, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ApiClient.FromLogin();
            var path = $"v1/tenants/{api.Tenant(parse.GetValue(tenant))}/audit?limit=1000&after=";
            var seq = parse.GetValue(after);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var page = JsonNode.Parse(await api.GetAsync(path + seq, cancellationToken));
                    foreach (var entry in page?["entries"] as JsonArray ?? [])
                    {
                        seq = entry!["seq"]!.GetValue<long>();
                        Console.Out.WriteLine(parse.Json() ? entry.ToJsonString() : Line(entry));
                    }

                    if (page?["next"] is not null)
                    {
                        continue;
                    }

                    if (!parse.GetValue(follow))
                    {
                        break;
                    }

                    await Task.Delay(FollowInterval, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Line(JsonNode entry) =>
        string.Join(' ', new[] { "seq", "at", "principal", "action", "target", "outcome" }.Select(p => CliOutput.Text(entry[p]) is { Length: > 0 } t ? t : "-"));

    private static Command Verify()
    {
        var tenant = CliOptions.Tenant();
        var config = new Option<string?>("--config") { Description = "on the host: walk the chain in the database smcp.yaml names, not through the API" };
        var command = new Command("verify", "Walk the tenant's hash chain; exit 3 if broken") { tenant, config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string name;
            bool intact;
            long rows;
            string? breakText;
            if (parse.GetValue(config) is { } path)
            {
                name = parse.GetValue(tenant) ?? throw new CliException(ExitCodes.Usage, "audit verify --config needs --tenant.");
                var loaded = HostConfig.Load(path);
                await using var source = HostConfig.DataSource(loaded.Config!);
                var result = await new AuditVerifier(new TenantDb(source)).VerifyAsync(name, cancellationToken);
                (intact, rows, breakText) = (result.IsIntact, result.RowsChecked, result.IsIntact ? null : $"{result.FirstBreak!.Seq}: {result.FirstBreak.Reason}");
            }
            else
            {
                using var api = ApiClient.FromLogin();
                name = api.Tenant(parse.GetValue(tenant));
                var json = await api.GetAsync($"v1/tenants/{name}/audit/verify", cancellationToken);
                if (parse.Json())
                {
                    Console.Out.WriteLine(json);
                }

                var answer = JsonNode.Parse(json)!;
                (intact, rows, breakText) = (answer["intact"]!.GetValue<bool>(), answer["rowsChecked"]!.GetValue<long>(),
                    $"{CliOutput.Text(answer["brokenAtSeq"])}: {CliOutput.Text(answer["reason"])}");
                if (parse.Json())
                {
                    return intact ? ExitCodes.Ok : Broken;
                }
            }

            Console.Out.WriteLine(intact ? $"{name}: intact ({rows} rows)" : $"{name}: broken at seq {breakText}");
            return intact ? ExitCodes.Ok : Broken;
        });
        return command;
    }
}
