using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Data;

/// <summary>One tool of a stored pin set: its pin and canonical JSON (null when over the kept bound).</summary>
internal sealed record StoredPin(string Name, string Hash, string ContentHash, string? Canonical);

/// <summary>A stored pin set of a server: the approved one or the pending change.</summary>
internal sealed record PinSetRow
{
    public required string Server { get; init; }
    public required string State { get; init; }
    public required string Version { get; init; }
    public required string ListingHash { get; init; }
    public required IReadOnlyList<StoredPin> Tools { get; init; }

    /// <summary>How the pending listing differs from the approved pins; empty for the approved set.</summary>
    public required ToolPinChanges Changes { get; init; }

    public DateTimeOffset RecordedAt { get; init; }
    public string? ApprovedBy { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StoredPin[]))]
[JsonSerializable(typeof(ToolPinChanges))]
internal sealed partial class PinJsonContext : JsonSerializerContext;

/// <summary>
/// The tool pins of a tenant's servers (<c>tool_pins</c>): the approved set and at most one pending change per server.
/// Read once per session start, written once per distinct listing a session reports, replaced by an approval.
/// </summary>
internal sealed class ToolPinStore(TenantDb db)
{
    public const string Approved = "approved";
    public const string Pending = "pending";

    private const string Columns =
        "server, state, version, listing_hash AS ListingHash, tools::text AS Tools, changes::text AS Changes, recorded_at AS RecordedAt, approved_by AS ApprovedBy";

    /// <summary>The server's approved pins; null when it has none yet.</summary>
    public async Task<ToolPinSet?> LoadApprovedAsync(string tenantId, string server, CancellationToken ct) =>
        (await GetAsync(tenantId, server, ct).ConfigureAwait(false)).Approved is { } row
            ? new ToolPinSet(row.Version, row.Tools.Select(t => new ToolPin(t.Name, t.Hash, t.ContentHash)).ToList())
            : null;

    /// <summary>The approved set and the pending change of a server, each null when absent.</summary>
    public async Task<(PinSetRow? Approved, PinSetRow? Pending)> GetAsync(string tenantId, string server, CancellationToken ct)
    {
        var rows = await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<RawPinSet>(new CommandDefinition(
            $"SELECT {Columns} FROM tool_pins WHERE tenant_id = @tenantId AND server = @server",
            new { tenantId, server }, transaction, cancellationToken: ct)), ct).ConfigureAwait(false);
        var sets = rows.Select(r => r.ToRow()).ToList();
        return (sets.Find(s => s.State == Approved), sets.Find(s => s.State == Pending));
    }

    /// <summary>Keeps a reported listing: the first pins of a server (if it still has none), or its pending change (replacing an older one).</summary>
    public Task RecordAsync(ToolPinObservation observation, CancellationToken ct)
    {
        var parameters = new
        {
            tenantId = observation.Tenant,
            server = observation.Server,
            state = observation.Kind == PinObservationKind.FirstUse ? Approved : Pending,
            version = observation.Version,
            listingHash = observation.ListingHash,
            tools = JsonSerializer.Serialize(
                observation.Tools.Select(t => new StoredPin(t.Pin.Name, t.Pin.Hash, t.Pin.ContentHash, t.Canonical)).ToArray(), PinJsonContext.Default.StoredPinArray),
            changes = JsonSerializer.Serialize(observation.Changes, PinJsonContext.Default.ToolPinChanges),
        };
        var onConflict = observation.Kind == PinObservationKind.FirstUse
            ? "DO NOTHING"
            : "DO UPDATE SET version = excluded.version, listing_hash = excluded.listing_hash, tools = excluded.tools, changes = excluded.changes, recorded_at = now()";
        return db.RunAsync(observation.Tenant, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO tool_pins (tenant_id, server, state, version, listing_hash, tools, changes)
            VALUES (@tenantId, @server, @state, @version, @listingHash, @tools::jsonb, @changes::jsonb)
            ON CONFLICT (tenant_id, server, state) {onConflict}
            """, parameters, transaction, cancellationToken: ct)), ct);
    }

    /// <summary>
    /// Makes the pending change the approved pins; <see cref="StoreOutcome.NotFound"/> without a pending change,
    /// <see cref="StoreOutcome.Conflict"/> when <paramref name="listingHash"/> is given and the pending change is another listing.
    /// </summary>
    public async Task<StoreResult<PinSetRow>> ApproveAsync(string tenantId, string server, string? listingHash, string approvedBy, CancellationToken ct)
    {
        var parameters = new { tenantId, server, approvedBy };
        return await db.RunAsync(tenantId, async (connection, transaction) =>
        {
            var pending = await connection.QuerySingleOrDefaultAsync<RawPinSet>(new CommandDefinition(
                $"SELECT {Columns} FROM tool_pins WHERE tenant_id = @tenantId AND server = @server AND state = 'pending' FOR UPDATE",
                parameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
            if (pending is null)
            {
                return StoreResult<PinSetRow>.Failed(StoreOutcome.NotFound);
            }

            if (listingHash is not null && listingHash != pending.ListingHash)
            {
                return StoreResult<PinSetRow>.Failed(StoreOutcome.Conflict);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM tool_pins WHERE tenant_id = @tenantId AND server = @server AND state = 'approved'",
                parameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
            var approved = await connection.QuerySingleAsync<RawPinSet>(new CommandDefinition(
                $"""
                UPDATE tool_pins SET state = 'approved', changes = jsonb_build_object(), approved_by = @approvedBy, recorded_at = now()
                WHERE tenant_id = @tenantId AND server = @server AND state = 'pending'
                RETURNING {Columns}
                """, parameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
            return StoreResult<PinSetRow>.Ok(approved.ToRow());
        }, ct).ConfigureAwait(false);
    }

    private sealed record RawPinSet
    {
        public required string Server { get; init; }
        public required string State { get; init; }
        public required string Version { get; init; }
        public required string ListingHash { get; init; }
        public required string Tools { get; init; }
        public required string Changes { get; init; }
        public DateTimeOffset RecordedAt { get; init; }
        public string? ApprovedBy { get; init; }

        public PinSetRow ToRow() => new()
        {
            Server = Server,
            State = State,
            Version = Version,
            ListingHash = ListingHash,
            Tools = JsonSerializer.Deserialize(Tools, PinJsonContext.Default.StoredPinArray) ?? [],
            Changes = Changes == "{}" ? ToolPinChanges.None : JsonSerializer.Deserialize(Changes, PinJsonContext.Default.ToolPinChanges) ?? ToolPinChanges.None,
            RecordedAt = RecordedAt,
            ApprovedBy = ApprovedBy,
        };
    }
}
