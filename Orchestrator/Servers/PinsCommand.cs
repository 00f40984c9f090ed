using Npgsql;
using Smcp.Orchestrator.Api;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Servers;

/// <summary>
/// <c>smcp pins list|approve --tenant T --server S [--listing-hash H]</c>: a server's tool pins and pending change with its
/// diff, and its approval, from the host's shell against the database (as the API does for a tenant admin); the approval is audited
/// with principal <c>cli</c>.
/// </summary>
internal static class PinsCommand
{
    public const string CliPrincipal = "cli";

    public const int UnknownTenant = 2;
    public const int NothingPending = 3;
    public const int StaleListing = 4;

    public static async Task<int> RunAsync(
        SmcpConfig config, string verb, string tenant, string server, string? listingHash, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (config.FindTenant(tenant) is null)
        {
            await error.WriteLineAsync($"smcp: tenant '{tenant}' is not in smcp.yaml.");
            return UnknownTenant;
        }

        if (config.Postgres.ConnectionString is not { } connectionString)
        {
            await error.WriteLineAsync($"smcp: postgres.connectionString is not set (or {PostgresConfig.AppVariable}).");
            return 1;
        }

        try
        {
            await using var source = NpgsqlDataSource.Create(connectionString);
            var db = new TenantDb(source);
            var pins = new ToolPinStore(db);
            return verb == "approve"
                ? await ApproveAsync(db, pins, tenant, server, listingHash, output, error, cancellationToken)
                : await ListAsync(pins, tenant, server, output, error, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            await error.WriteLineAsync($"smcp: the database refused: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> ListAsync(ToolPinStore pins, string tenant, string server, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (approved, pending) = await pins.GetAsync(tenant, server, cancellationToken);
        if (approved is null && pending is null)
        {
            await error.WriteLineAsync($"smcp: {tenant}/{server} has no tool pins yet: they are recorded when a session first lists its tools.");
            return NothingPending;
        }

        if (approved is not null)
        {
            await output.WriteLineAsync($"approved  version {approved.Version}  listing {approved.ListingHash}  by {approved.ApprovedBy ?? "first use"}  at {approved.RecordedAt:O}");
            foreach (var tool in approved.Tools)
            {
                await output.WriteLineAsync($"  {tool.Name}  {tool.Hash}");
            }
        }

        if (pending is null)
        {
            await output.WriteLineAsync("no pending change");
            return 0;
        }

        await output.WriteLineAsync($"pending   version {pending.Version}  listing {pending.ListingHash}  at {pending.RecordedAt:O}");
        foreach (var entry in PinsApi.ToPending(approved, pending).Diff)
        {
            await output.WriteLineAsync($"  {entry.Change} {entry.Name}{(entry.From is null ? "" : $" (was {entry.From})")}");
            if (entry.Old is not null)
            {
                await output.WriteLineAsync($"    - {entry.Old}");
            }

            if (entry.New is not null)
            {
                await output.WriteLineAsync($"    + {entry.New}");
            }
        }

        return 0;
    }

    private static async Task<int> ApproveAsync(
        TenantDb db, ToolPinStore pins, string tenant, string server, string? listingHash, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var result = await pins.ApproveAsync(tenant, server, listingHash, CliPrincipal, cancellationToken);
        if (result.Outcome == StoreOutcome.NotFound)
        {
            await error.WriteLineAsync($"smcp: {tenant}/{server} has no pending tool change to approve.");
            return NothingPending;
        }

        var outcome = result.Outcome == StoreOutcome.Conflict ? "conflict" : "ok";
        await new AuditInserter(db).InsertAsync(tenant,
            [new AuditRecord { TenantId = tenant, At = DateTimeOffset.UtcNow, Principal = CliPrincipal, Action = "tool.pin.approve", Target = server, Outcome = outcome }],
            cancellationToken);
        if (result.Outcome == StoreOutcome.Conflict)
        {
            await error.WriteLineAsync("smcp: the pending change is not the listing named by --listing-hash (the server listed another one since); list the pins again.");
            return StaleListing;
        }

        await output.WriteLineAsync(result.Value!.ListingHash);
        return 0;
    }
}
